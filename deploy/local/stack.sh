#!/usr/bin/env bash
# Minter's local stack: PostgreSQL (the database secrets engine's target) and a persistent OpenBao server,
# configured by vault-policies/bootstrap.sh.
#
#   deploy/local/stack.sh {start|stop|status|restart-openbao|stop-openbao|start-openbao} [--state DIR]
#
# Ports come from BAO_PORT (default 18200; OpenBao's cluster port is BAO_PORT+1) and PG_PORT (default 55432).
# With MINTER_RABBITMQ=1, `start` also runs a RabbitMQ node for OpenBao's rabbitmq/ engine (Debian's rabbitmq-server,
# installed if missing) on RABBITMQ_PORT (default 55672; management API on +1, Erlang distribution on +2). Off by
# default. Running `start` again with it only adds the missing RabbitMQ part; `stop` stops it too.
# State (data, logs, keys, tokens) lives in --state DIR, default deploy/local/.state under the repo root.
#
# DEV ONLY. This stack trades safety for convenience on a developer's loopback interface:
#   - OpenBao listens on 127.0.0.1 with TLS disabled (never do this on a reachable interface);
#   - it is initialised with ONE unseal key share, and that key and the root token sit in $STATE (0600);
#   - PostgreSQL listens on 127.0.0.1 only, with scram-sha-256 password auth; passwords sit in $STATE (0600).
# Production OpenBao/Vault runs with TLS, a real seal (auto-unseal / several key holders) and no stored root token.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE="$REPO_ROOT/deploy/local/.state"
CMD=""

usage() {
  echo "usage: $0 {start|stop|status|restart-openbao|stop-openbao|start-openbao} [--state DIR]" >&2
  exit 64
}

while [ $# -gt 0 ]; do
  case "$1" in
    --state) [ $# -ge 2 ] || usage; STATE="$2"; shift 2 ;;
    --state=*) STATE="${1#--state=}"; shift ;;
    start|stop|status|restart-openbao|stop-openbao|start-openbao) CMD="$1"; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$CMD" ] || usage
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

# Ports: environment first, then what the stack was last started with, then the defaults.
if [ -f "$STATE/ports.env" ]; then
  # shellcheck disable=SC1091
  SAVED_BAO_PORT=$(sed -n 's/^BAO_PORT=//p' "$STATE/ports.env")
  SAVED_PG_PORT=$(sed -n 's/^PG_PORT=//p' "$STATE/ports.env")
  SAVED_RABBITMQ_PORT=$(sed -n 's/^RABBITMQ_PORT=//p' "$STATE/ports.env")
fi
BAO_PORT="${BAO_PORT:-${SAVED_BAO_PORT:-18200}}"
PG_PORT="${PG_PORT:-${SAVED_PG_PORT:-55432}}"
RABBITMQ_PORT="${RABBITMQ_PORT:-${SAVED_RABBITMQ_PORT:-55672}}"
RABBITMQ_MGMT_PORT=$((RABBITMQ_PORT + 1))
BAO_CLUSTER_PORT=$((BAO_PORT + 1))
BAO_ADDR="http://127.0.0.1:$BAO_PORT"
export BAO_ADDR VAULT_ADDR="$BAO_ADDR"
unset BAO_TOKEN VAULT_TOKEN

# shellcheck source=deploy/local/stack-lib.sh
. "$SCRIPT_DIR/stack-lib.sh"

case "$CMD" in
  start)
    ensure_tools
    start_postgres
    seed_postgres
    start_openbao
    init_openbao
    unseal_openbao
    if rabbitmq_enabled; then
      ensure_rabbitmq_server
      start_rabbitmq
    else
      # A node started earlier with MINTER_RABBITMQ=1 keeps running: learn its real ports.
      if rabbitmq_running; then start_rabbitmq; fi
    fi
    run_bootstrap
    write_stack_env
    echo "==> stack ready; source $STATE/stack.env"
    ;;
  stop)
    stop_rabbitmq
    stop_openbao
    stop_postgres
    ;;
  status)
    rc=0
    if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT"; else echo "postgres: stopped"; rc=3; fi
    if bao_running; then echo "openbao:  running on $BAO_ADDR ($(bao_seal_state))"; else echo "openbao:  stopped"; rc=3; fi
    # Optional: reported when running, never a reason for a non-zero status.
    if rabbitmq_running; then echo "rabbitmq: running ($STATE/rabbitmq)"; fi
    exit $rc
    ;;
  stop-openbao)
    stop_openbao
    ;;
  start-openbao)
    ensure_tools
    start_openbao
    unseal_openbao
    ;;
  restart-openbao)
    stop_openbao
    start_openbao
    unseal_openbao
    ;;
esac
