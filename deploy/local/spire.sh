#!/usr/bin/env bash
# A local SPIRE (server + agent) for Minter's tests and dev runs, built from SPIRE's Go module.
#
#   deploy/local/spire.sh install                 build spire-server/spire-agent into the cache (idempotent)
#   deploy/local/spire.sh start --state DIR [--uid UID] [--trust-domain TD]
#   deploy/local/spire.sh stop  --state DIR
#
# install: needs Go (>= the version SPIRE's go.mod names) and a C compiler (the sqlite datastore uses cgo). The
# binaries go to $SPIRE_CACHE (default ~/.cache/minter/spire-$SPIRE_VERSION/bin); a second call does nothing. A
# cold build downloads SPIRE's module graph and takes several minutes; warm rebuilds are not needed at all.
# (`go install ...@version` is not used: it asks the module proxy for the version list, which some proxies refuse.)
#
# start: a server on 127.0.0.1 (free port) with join-token node attestation, an in-memory key manager and a
# sqlite datastore under DIR; an agent attested with a fresh join token, trusting the server's bundle (no insecure
# bootstrap), with the unix workload attestor; and one registration entry, spiffe://TD/minter for unix:uid:UID
# (default: the caller's uid). Prints the environment to use, e.g. SPIFFE_ENDPOINT_SOCKET=unix:///DIR/agent.sock,
# and writes it to DIR/spire.env. DEV ONLY: keys in memory, one node, loopback.
set -euo pipefail

SPIRE_VERSION="${SPIRE_VERSION:-v1.13.0}"
SPIRE_CACHE="${SPIRE_CACHE:-$HOME/.cache/minter/spire-$SPIRE_VERSION}"
BIN="$SPIRE_CACHE/bin"
STATE=""
UID_SELECTOR="$(id -u)"
TD="minter.local"
CMD=""

usage() {
  echo "usage: $0 {install|start|stop} [--state DIR] [--uid UID] [--trust-domain TD]" >&2
  exit 64
}

while [ $# -gt 0 ]; do
  case "$1" in
    install|start|stop) CMD="$1"; shift ;;
    --state) [ $# -ge 2 ] || usage; STATE="$2"; shift 2 ;;
    --uid) [ $# -ge 2 ] || usage; UID_SELECTOR="$2"; shift 2 ;;
    --trust-domain) [ $# -ge 2 ] || usage; TD="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$CMD" ] || usage

install() {
  if [ -x "$BIN/spire-server" ] && [ -x "$BIN/spire-agent" ]; then
    return 0
  fi
  command -v go >/dev/null || { echo "error: go is not installed (needed to build SPIRE)" >&2; exit 1; }
  command -v gcc >/dev/null || { echo "error: gcc is not installed (SPIRE's sqlite datastore needs cgo)" >&2; exit 1; }
  echo "==> building SPIRE $SPIRE_VERSION into $BIN (first time only; takes minutes)" >&2
  local dir
  dir=$(go mod download -json "github.com/spiffe/spire@$SPIRE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "error: could not download github.com/spiffe/spire@$SPIRE_VERSION" >&2; exit 1; }
  local src="$SPIRE_CACHE/src"
  rm -rf "$src" && mkdir -p "$src" "$BIN"
  cp -r "$dir/." "$src/" && chmod -R u+w "$src"
  (cd "$src" && CGO_ENABLED=1 go build -trimpath -o "$BIN.tmp/" ./cmd/spire-server ./cmd/spire-agent)
  mv "$BIN.tmp/spire-server" "$BIN.tmp/spire-agent" "$BIN/" && rmdir "$BIN.tmp"
  rm -rf "$src"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_healthy() { # wait_healthy BINARY SOCKET NAME LOG
  for _ in $(seq 1 120); do
    if "$BIN/$1" healthcheck -socketPath "$2" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "error: $3 did not become healthy; last log lines:" >&2
  tail -n 30 "$4" >&2
  exit 1
}

stop() {
  [ -n "$STATE" ] || usage
  for name in agent server; do
    if [ -f "$STATE/$name.pid" ]; then
      kill "$(cat "$STATE/$name.pid")" 2>/dev/null || true
      rm -f "$STATE/$name.pid"
    fi
  done
}

start() {
  [ -n "$STATE" ] || usage
  install
  mkdir -p "$STATE"
  STATE=$(cd "$STATE" && pwd)
  stop
  rm -rf "$STATE/server-data" "$STATE/agent-data" "$STATE"/*.sock
  local port
  port=$(free_port)
  cat >"$STATE/server.conf" <<CONF
server {
  bind_address = "127.0.0.1"
  bind_port = "$port"
  socket_path = "$STATE/server.sock"
  trust_domain = "$TD"
  data_dir = "$STATE/server-data"
  log_level = "INFO"
  default_x509_svid_ttl = "1h"
  default_jwt_svid_ttl = "5m"
}
plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "$STATE/server-data/datastore.sqlite3"
    }
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "memory" {
    plugin_data {}
  }
}
CONF
  "$BIN/spire-server" run -config "$STATE/server.conf" >"$STATE/server.log" 2>&1 &
  echo $! >"$STATE/server.pid"
  wait_healthy spire-server "$STATE/server.sock" "spire-server" "$STATE/server.log"

  "$BIN/spire-server" bundle show -socketPath "$STATE/server.sock" >"$STATE/bootstrap.crt"
  local token
  token=$("$BIN/spire-server" token generate -socketPath "$STATE/server.sock" \
    -spiffeID "spiffe://$TD/agent/local" -ttl 600 | sed -n 's/^Token: //p')
  [ -n "$token" ] || { echo "error: no join token" >&2; exit 1; }
  "$BIN/spire-server" entry create -socketPath "$STATE/server.sock" -parentID "spiffe://$TD/agent/local" \
    -spiffeID "spiffe://$TD/minter" -selector "unix:uid:$UID_SELECTOR" >"$STATE/entry.txt"

  cat >"$STATE/agent.conf" <<CONF
agent {
  data_dir = "$STATE/agent-data"
  log_level = "INFO"
  server_address = "127.0.0.1"
  server_port = "$port"
  socket_path = "$STATE/agent.sock"
  trust_bundle_path = "$STATE/bootstrap.crt"
  trust_domain = "$TD"
}
plugins {
  NodeAttestor "join_token" {
    plugin_data {}
  }
  KeyManager "memory" {
    plugin_data {}
  }
  WorkloadAttestor "unix" {
    plugin_data {}
  }
}
CONF
  "$BIN/spire-agent" run -config "$STATE/agent.conf" -joinToken "$token" >"$STATE/agent.log" 2>&1 &
  echo $! >"$STATE/agent.pid"
  wait_healthy spire-agent "$STATE/agent.sock" "spire-agent" "$STATE/agent.log"

  {
    echo "SPIFFE_ENDPOINT_SOCKET=unix://$STATE/agent.sock"
    echo "SPIRE_SERVER_SOCKET=$STATE/server.sock"
    echo "SPIRE_TRUST_DOMAIN=$TD"
    echo "SPIRE_WORKLOAD_ID=spiffe://$TD/minter"
    echo "SPIRE_BIN=$BIN"
  } | tee "$STATE/spire.env"
}

case "$CMD" in
  install) install; echo "$BIN" ;;
  start) start ;;
  stop) stop ;;
esac
