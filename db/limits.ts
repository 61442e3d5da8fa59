/**
 * Limits the database enforces itself (CHECK constraints in schema.ts). The server and the pages
 * import them from here (server/shared/limits.ts), so the rule and its check cannot drift apart.
 */
export const MAX_BALANCE = 100_000_000;

/**
 * The join challenge's difficulty (sales.join_difficulty): the most key derivations a solver may
 * need. The default costs a phone-class browser about a second (docs/line-cost.md has the measurements).
 */
export const JOIN_DIFFICULTY_MIN = 100;
export const JOIN_DIFFICULTY_MAX = 1_000_000;
export const JOIN_DIFFICULTY_DEFAULT = 4_000;
