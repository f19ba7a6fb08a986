# task-pki-agents: given to a task token whose grant includes a pki role on pki/roles/agents. Minter issues the
# certificate *with the task token*. issue: OpenBao generates the key and returns it once; sign: the agent sends a
# CSR and its private key never leaves the agent. The role caps max_ttl at the longest task; Minter asks for at
# most the task's remaining time. Without generate_lease the certificate has no lease and cannot be revoked early:
# its short TTL is the only control (the receipt says so).
path "pki/issue/agents" {
  capabilities = ["update"]
}
path "pki/sign/agents" {
  capabilities = ["update"]
}
