# minter-task-delegate: carried by every task token (Minter adds it; agents never hold a task token). It lets a task
# token create ONE kind of token: a child task token through the minter-task-child role (orphan=false), so the child
# is a child of the task token in OpenBao's token tree and dies when the parent task is completed, revoked or expires.
#
# Minter creates the child *with the parent task's token* (OpenBao has no "parent" parameter), after checking child ⊆
# parent itself: the role's allowed_policies lets the caller pick any policy on its list, not only its own.
# A vault-token credential handed to an agent never carries this policy (Minter refuses to create one that would),
# so an agent cannot create task tokens.
path "auth/token/create/minter-task-child" {
  capabilities = ["create", "update"]
}
