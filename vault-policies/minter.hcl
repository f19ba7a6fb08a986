# minter: Minter's own token. Least privilege: Minter mints *tokens for tasks* and revokes what it minted. It can
# never read a credential itself (every secret is read with the task's token, so the lease belongs to the task),
# and it can never change policies, roles, mounts or auth methods: a stolen Minter token cannot widen anything.

# Create task tokens only through the minter-task token role. The role fixes orphan=true, service tokens,
# renewable=false, an explicit max TTL of 24h, and the allowed_policies list: Minter cannot mint a token with a
# policy outside that list (OpenBao answers 400), nor use any other role or the role-less create endpoint (403).
path "auth/token/create/minter-task" {
  capabilities = ["create", "update"]
}

# Revoke a task token (and with it its children and every lease created with them) knowing only its accessor.
# Minter stores accessors, never plaintext tokens, for revocation.
path "auth/token/revoke-accessor" {
  capabilities = ["update"]
}

# Ask whether a task token is still alive (expiry sweeps, revocation receipts) by accessor.
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}

# Revoke one recorded lease with sync=true, so a revocation receipt means "the database user is gone", not
# "queued". Not revoke-prefix or revoke-force (sudo, and far too broad).
path "sys/leases/revoke" {
  capabilities = ["update"]
}

# Tell "already gone" from "revoked now": look a lease up before revoking it.
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# Minter's token is periodic: it renews itself and checks its own TTL. Nothing else about tokens.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
