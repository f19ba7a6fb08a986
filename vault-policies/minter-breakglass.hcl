# minter-breakglass: an operator's token for `minter revoke --direct`, the break-glass path used when the Minter
# server is down. Exactly what TaskRevoker needs to end a task without Minter's own token: revoke each recorded
# lease (sync) and the task token by accessor, looking each up first to tell "already gone" from "revoked now".
# It cannot create tokens, read credentials or touch policies, roles or mounts. bootstrap.sh writes this policy
# but creates no token for it: issue one to a named operator when needed (short TTL), and revoke it afterwards.

# Revoke one recorded lease with sync=true (the database user is gone when Vault answers).
path "sys/leases/revoke" {
  capabilities = ["update"]
}

# Look a lease up before revoking it, so a receipt says "already gone" rather than a silent no-op.
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# Revoke a task token (its children and every lease created with them) by accessor: the ledger keeps accessors.
path "auth/token/revoke-accessor" {
  capabilities = ["update"]
}

# Ask whether a task token is still alive, by accessor.
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}
