# task-analytics-ro: given to a task token whose grant includes the analytics-ro database role. Reading the
# creds endpoint *with the task token* creates a PostgreSQL user whose lease belongs to that token, so revoking
# or expiring the task drops the user.
path "database/creds/analytics-ro" {
  capabilities = ["read"]
}
