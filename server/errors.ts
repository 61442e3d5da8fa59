/**
 * Domain errors: what went wrong in the business's terms. Services throw them and know nothing of
 * HTTP or tRPC; `server/trpc/errors.ts` is the one place that maps them to tRPC (and so HTTP) codes.
 * The reason is part of the API contract: clients read it from `error.data.reason`.
 * Each reason is listed with the HTTP-level class it belongs to (a tRPC code name).
 */
export const REASON_CODES = {
  SESSION_REQUIRED: 'UNAUTHORIZED',
  TOKEN_INVALID: 'UNAUTHORIZED',
  TOKEN_EXPIRED: 'UNAUTHORIZED',
  TOKEN_NOT_ACTIVE: 'FORBIDDEN',
  /** A queue token of one concert's line used on another concert's dates, seats or reservations. */
  TOKEN_WRONG_SALE: 'FORBIDDEN',
  /** Joining a line before its pre-queue opens (`prequeueOpensAt`, `opensAt` beside it). */
  SALE_NOT_OPEN: 'CONFLICT',
  /** Joining a line whose seats are all sold. */
  SOLD_OUT: 'CONFLICT',
  /** A guest joining the line of a sale for signed-in accounts only: sign in (or up) first. */
  SALE_FOR_ACCOUNTS: 'FORBIDDEN',
  /** queue.leave with a token that is not waiting (a running turn, a closed line); facts: its `status`. */
  NOT_IN_LINE: 'CONFLICT',
  /** Joining a line whose sale an operator closed. */
  SALE_CLOSED: 'CONFLICT',
  // The join challenge (server/queue/join-challenge.ts, docs/line-cost.md).
  /** Joining a line without a solved challenge while JOIN_CHALLENGE is on: ask queue.challenge for one. */
  CHALLENGE_REQUIRED: 'BAD_REQUEST',
  /** A solution that cannot be read, was not issued by this site, or does not solve its challenge. */
  CHALLENGE_INVALID: 'BAD_REQUEST',
  /** A challenge past its JOIN_CHALLENGE_TTL_SECONDS. */
  CHALLENGE_EXPIRED: 'BAD_REQUEST',
  /** A challenge issued for another sale's line. */
  CHALLENGE_WRONG_SALE: 'BAD_REQUEST',
  /** A challenge issued to another session. */
  CHALLENGE_WRONG_SESSION: 'BAD_REQUEST',
  /** A solution that has taken a place already: each solves one join. */
  CHALLENGE_USED: 'CONFLICT',
  SEAT_UNAVAILABLE: 'CONFLICT',
  HOLD_LIMIT: 'CONFLICT',
  /** The seats a user holds and bought for one concert would pass PURCHASE_MAX_PER_USER. */
  PURCHASE_LIMIT: 'CONFLICT',
  RESERVATION_EXPIRED: 'CONFLICT',
  RESERVATION_CONFIRMED: 'CONFLICT',
  /** Cancelling a paid order after its refund deadline (REFUND_DEADLINE_HOURS before the show); facts: `deadline`. */
  REFUND_CLOSED: 'CONFLICT',
  /** Every ticket of the order was passed on or used: none is the buyer's to refund. */
  NOTHING_TO_REFUND: 'CONFLICT',
  // Tickets passed on (server/ticket/transfer.ts).
  /** The caller bought the ticket but passed it on: it is its new holder's. */
  TICKET_NOT_HELD: 'CONFLICT',
  /** Refunded, used, or already offered (`details.why`). */
  TICKET_NOT_TRANSFERABLE: 'CONFLICT',
  /** Past TRANSFER_CUTOFF_HOURS before the show (`details.deadline`). */
  TRANSFER_CLOSED: 'CONFLICT',
  TRANSFER_TO_SELF: 'BAD_REQUEST',
  /** Offering a ticket to an address needs the sender's own address verified. */
  EMAIL_UNVERIFIED: 'FORBIDDEN',
  /** No account has the email (and no offer was asked for): a typo, or someone without an account yet. */
  RECIPIENT_UNKNOWN: 'NOT_FOUND',
  IDEMPOTENCY_KEY_REUSED: 'CONFLICT',
  CROSS_SITE: 'FORBIDDEN',
  // The operator's console (admin.*).
  /** An operator procedure called without a valid operator sign-in (fans included). */
  OPERATOR_REQUIRED: 'FORBIDDEN',
  /** admin.login with a wrong password or an unknown email: the same answer for both. */
  OPERATOR_LOGIN_FAILED: 'UNAUTHORIZED',
  /** A signed-in operator whose role may not do this; facts: `role`, the least role that may. */
  OPERATOR_ROLE_REQUIRED: 'FORBIDDEN',
  /** Inviting an email that is an operator already. */
  OPERATOR_EXISTS: 'CONFLICT',
  /** Changing the role of, or removing, the built-in owner (OPERATOR_PASSWORD). */
  OPERATOR_BUILT_IN: 'FORBIDDEN',
  /** An invitation link whose token no invitation has. */
  INVITATION_UNKNOWN: 'NOT_FOUND',
  /** An invitation past its seven days. */
  INVITATION_EXPIRED: 'BAD_REQUEST',
  /** An invitation accepted already (each is good once). */
  INVITATION_USED: 'CONFLICT',
  /** Changing a sale's times after it has opened. */
  SALE_ALREADY_OPEN: 'CONFLICT',
  // Accounts (account.*).
  /** A wrong password or an unknown email: the same answer for both, so no one can tell which. */
  SIGN_IN_FAILED: 'UNAUTHORIZED',
  /** Signing up with an email that already has an account. */
  EMAIL_TAKEN: 'CONFLICT',
  /** A verification or password-reset link that is unknown, used already or out of date. */
  LINK_INVALID: 'BAD_REQUEST',
  /** A passkey ceremony that ran out, was used already, belongs to another account, or a passkey this site does not know. */
  PASSKEY_FAILED: 'BAD_REQUEST',
  /** Deleting an account without its password from a session more than a day old: sign in again first. */
  SIGN_IN_AGAIN: 'UNAUTHORIZED',
  /** An account procedure called without a signed-in account (a guest, or a signed-out session). */
  ACCOUNT_REQUIRED: 'UNAUTHORIZED',
  INSUFFICIENT_BALANCE: 'PAYMENT_REQUIRED',
  BALANCE_LIMIT: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_INPUT: 'BAD_REQUEST',
  /** A lock, deadlock or serialization conflict with another request: safe to retry. */
  BUSY: 'CONFLICT',
  /** The database is unreachable or timed out: safe to retry later. */
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /**
   * This server is working on as much as it takes at once and did not start the call (nothing of it
   * ran, its body unread): try again after `retryAfterSeconds` (also the Retry-After header).
   */
  OVERLOADED: 'SERVICE_UNAVAILABLE',
  /** An email (a verification code, a password-reset link, an invitation) could not be handed to the mail server: safe to retry later. */
  MAIL_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
} as const;

export type Reason = keyof typeof REASON_CODES;

export class DomainError extends Error {
  readonly reason: Reason;
  /** Extra machine-readable facts for the client (e.g. `position`, `shortfall`). */
  readonly details: Record<string, unknown>;

  constructor(reason: Reason, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
    this.name = 'DomainError';
    this.reason = reason;
    this.details = details;
  }
}

/** PostgreSQL error codes the services react to. */
export const PG = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  LOCK_NOT_AVAILABLE: '55P03',
  DEADLOCK_DETECTED: '40P01',
  SERIALIZATION_FAILURE: '40001',
  QUERY_CANCELED: '57014',
  ADMIN_SHUTDOWN: '57P01',
  CANNOT_CONNECT_NOW: '57P03',
} as const;

/**
 * The PostgreSQL SQLSTATE behind an error, if any. drizzle wraps driver errors in its own
 * (`DrizzleQueryError`), with the postgres.js error as `.cause`; this looks through the chain.
 */
export function pgCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const RETRYABLE_CONFLICTS = new Set<string>([PG.LOCK_NOT_AVAILABLE, PG.DEADLOCK_DETECTED, PG.SERIALIZATION_FAILURE]);
const UNAVAILABLE_CODES = new Set<string>([PG.QUERY_CANCELED, PG.ADMIN_SHUTDOWN, PG.CANNOT_CONNECT_NOW]);
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  // A write to a connection the database (or a proxy) has just closed.
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

function connectionErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The connection pool was closed (its process or test is done): a write in the background can be dropped. */
export function poolEnded(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === 'CONNECTION_ENDED') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Turns whatever a procedure threw into a domain error, or undefined for a real bug. */
export function asDomainError(cause: unknown): DomainError | undefined {
  if (cause instanceof DomainError) return cause;
  const code = pgCode(cause);
  if (code && RETRYABLE_CONFLICTS.has(code)) {
    return new DomainError('BUSY', 'Another request is changing the same data right now. Please try again.', {}, { cause });
  }
  if ((code && UNAVAILABLE_CODES.has(code)) || connectionErrorCode(cause)) {
    return new DomainError('UNAVAILABLE', 'The service is briefly unavailable. Please try again.', {}, { cause });
  }
  return undefined;
}

/**
 * The one row a single-row statement answers. None means its answer never came (a connection killed
 * mid-statement has been seen to resolve with no rows, in server/rate-limit.ts under the fault tests):
 * a retryable UNAVAILABLE, not a TypeError and a 500. Money calls are safe to retry (idempotency keys,
 * and a paid order answers with its first payment).
 */
export function onlyRow<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new DomainError('UNAVAILABLE', 'The service is briefly unavailable. Please try again.');
  return row;
}
