/**
 * Who did something, as the audit log records it. Today there is one built-in operator (the shared
 * OPERATOR_PASSWORD); operator accounts will give each person an id, a name and a role. The log copies
 * all three into each entry, so an entry keeps saying who it was after an account is renamed or removed.
 */
export interface Actor {
  /** Stable: what the log is filtered by. */
  id: string;
  /** As shown to people. */
  name: string;
  /** owner / manager / door once accounts exist. */
  role?: string;
}

/** An action's attribution: who, and which request (the `x-request-id` the caller was answered with). */
export interface Attribution {
  actor: Actor;
  requestId?: string;
}

/** The attribution of a call on the operator rung: its operator and its request id. */
export const attributionOf = (ctx: { operator: Actor; requestId: string }): Attribution => ({
  actor: ctx.operator,
  requestId: ctx.requestId,
});
