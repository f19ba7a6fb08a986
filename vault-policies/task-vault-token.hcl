# task-vault-token: given to a task token whose grant includes a vault-token role. Minter creates the agent's
# token as a *child* of the task token, with the task token itself (OpenBao has no "parent" parameter), so the
# child dies when the task is revoked or expires.
#
# Role-less token creation lets the caller pick only a subset of its own policies (OpenBao enforces this for
# non-root, non-sudo tokens). Minter also checks child ⊆ parent itself and asks for the role's tokenPolicies only.
path "auth/token/create" {
  capabilities = ["create", "update"]
}
