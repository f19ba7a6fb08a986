# task-rabbitmq-agents: given to a task token whose grant includes a rabbitmq role. Minter reads the credential *with
# the task token*, so the RabbitMQ user is deleted when the task ends, is revoked, or expires. The role in OpenBao
# fixes the vhost permissions (read-only on "/"); the agent cannot ask for more.
path "rabbitmq/creds/agents" {
  capabilities = ["read"]
}
