#!/usr/bin/env bash
# Stops what deploy/local/up.sh started (Minter, OpenBao, PostgreSQL). State stays in deploy/local/.state;
# delete that folder to start from scratch.
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
STATE=${MINTER_STATE:-$MINTER_LOCAL_DIR/.state}

if [ -f "$STATE/minter.pid" ] && kill -0 "$(cat "$STATE/minter.pid")" 2>/dev/null; then
  step "stopping Minter (pid $(cat "$STATE/minter.pid"))"
  kill "$(cat "$STATE/minter.pid")"
  for _ in $(seq 100); do kill -0 "$(cat "$STATE/minter.pid")" 2>/dev/null || break; sleep 0.1; done
  ok
fi
rm -f "$STATE/minter.pid"
if [ -x "$MINTER_LOCAL_DIR/stack.sh" ] && [ -d "$STATE" ]; then
  "$MINTER_LOCAL_DIR/stack.sh" stop --state "$STATE"
fi
