package dev.minter.ledger;

/** An agent's lifecycle state in the inventory: only an ACTIVE agent may begin tasks and mint credentials. */
public enum AgentState {
  ACTIVE,
  /** Denied new tasks and new credentials; its open tasks may still complete, and nothing is revoked. */
  SUSPENDED,
  /** Denied everything new; its live tasks were revoked when it was retired. */
  RETIRED
}
