# task-ssh-agents: given to a task token whose grant includes an ssh role. Minter signs the agent's public key
# *with the task token*; the role fixes the principals the agent may ask for (allowed_users) and max_ttl. An SSH
# certificate cannot be revoked early (sshd checks no CRL here): its TTL, capped at the task's, is the only control.
path "ssh-client-signer/sign/agents" {
  capabilities = ["update"]
}
