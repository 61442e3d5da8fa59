/**
 * Limits the database enforces itself (CHECK constraints in schema.ts). The server and the pages
 * import them from here (server/shared/limits.ts), so the rule and its check cannot drift apart.
 */
export const MAX_BALANCE = 100_000_000;
