# agent-kv-read: an example policy for the vault-token child handed to an agent: read-only access to the shared
# agent secrets in the kv (version 2) mount at kv/. The task token carries it only so that it can pass it on to
# the child (a child's policies must be a subset of its parent's).
path "kv/data/agents/shared/*" {
  capabilities = ["read"]
}
