/**
 * What the request layer knows of each procedure before reading a byte of the body: which class of
 * work it is (server/http/admission.ts admits the classes in this order under load) and the largest
 * body it needs. Known from the URL alone, so a call is refused, deferred or admitted before its
 * input is read or parsed.
 *
 * No imports from the router: this file is read before tRPC runs (and a test checks that every
 * procedure of the router is listed here, so a new one cannot slip through with no policy).
 */

/**
 * The classes of work, highest priority first:
 * - `buyers`: calls of admitted fans (seats, holds, payments, their wallet and their own orders) and
 *   the operator's console;
 * - `waiting`: waiting-room polls and cheap reads (the line, the concerts, the draw, a ping);
 * - `arrivals`: joining (a new session, a place in the line, an operator's sign-in), and anything
 *   unknown. The most expensive per call and the first to wait under load.
 */
export const PRIORITIES = ['buyers', 'waiting', 'arrivals'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A fan's call needs a few hundred bytes; a batch of ten of them fits in this too. */
export const DEFAULT_BODY_BYTES = 4 * 1024;
/** The largest body any procedure takes (creating a concert: its dates and sections; a door device's upload). */
export const MAX_BODY_BYTES = 64 * 1024;
/** A WebAuthn answer: an attestation object and client data, base64url (a few KiB with a certificate chain). */
export const WEBAUTHN_BODY_BYTES = 16 * 1024;

export interface ProcedurePolicy {
  priority: Priority;
  /** Bytes of body it may send (a query's input comes in the URL, which Node caps at 16 KiB). */
  bodyBytes: number;
  /**
   * Who may call it at all: `fan` needs a signed session cookie, `turn` one and a queue token (a
   * header or cookie: whether it is active is the procedure's business), `operator` the operator's
   * cookie (its signature: the session's row and the role are the procedure's business).
   * A call without it is refused by the procedure anyway, so it gets no better than `arrivals`
   * priority and the default body cap (the request layer checks the signatures: HMACs, no database).
   */
  needs?: 'fan' | 'turn' | 'operator';
  /** Counted per client by the rateLimited middleware (server/trpc/init.ts), under this procedure's name. */
  rateLimited?: boolean;
}

const buyer: ProcedurePolicy = { priority: 'buyers', bodyBytes: DEFAULT_BODY_BYTES, needs: 'turn' };
/** A fan's own orders need only the session: nobody queues to see or return what they bought. */
const owner: ProcedurePolicy = { priority: 'buyers', bodyBytes: DEFAULT_BODY_BYTES, needs: 'fan' };
const operator: ProcedurePolicy = { priority: 'buyers', bodyBytes: DEFAULT_BODY_BYTES, needs: 'operator' };
const poll: ProcedurePolicy = { priority: 'waiting', bodyBytes: DEFAULT_BODY_BYTES };
const arrival: ProcedurePolicy = { priority: 'arrivals', bodyBytes: DEFAULT_BODY_BYTES };

export const PROCEDURE_POLICIES: Readonly<Record<string, ProcedurePolicy>> = {
  'health.ping': poll,
  'session.start': { ...arrival, rateLimited: true },
  'session.me': poll,
  'queue.challenge': { ...arrival, rateLimited: true },
  'queue.issue': { ...arrival, rateLimited: true },
  'queue.status': poll,
  'queue.leave': { ...poll, needs: 'turn' },
  'concert.list': poll,
  'sale.draw': poll,
  'concert.dates': buyer,
  'concert.seats': buyer,
  'concert.bestAvailable': buyer,
  'reservation.hold': buyer,
  'reservation.list': buyer,
  'reservation.cancel': buyer,
  'wallet.balance': buyer,
  'wallet.charge': buyer,
  'wallet.history': buyer,
  'payment.pay': buyer,
  'order.hold': buyer,
  'order.pay': buyer,
  'order.list': owner,
  'order.get': owner,
  'order.cancel': owner,
  'account.signUp': { ...arrival, rateLimited: true },
  'account.signIn': { ...arrival, rateLimited: true },
  'account.requestPasswordReset': { ...arrival, rateLimited: true },
  'account.resetPassword': { ...arrival, rateLimited: true },
  'account.verifyEmail': { ...arrival, rateLimited: true },
  'account.resendVerification': { ...owner, rateLimited: true },
  'account.passkeySignUpOptions': { ...arrival, rateLimited: true },
  'account.passkeySignUp': { ...arrival, bodyBytes: WEBAUTHN_BODY_BYTES, rateLimited: true },
  'account.passkeySignInOptions': { ...arrival, rateLimited: true },
  'account.passkeySignIn': { ...arrival, bodyBytes: WEBAUTHN_BODY_BYTES, rateLimited: true },
  'account.passkeys': owner,
  'account.passkeyAddOptions': owner,
  'account.passkeyAdd': { ...owner, bodyBytes: WEBAUTHN_BODY_BYTES },
  'account.passkeyRemove': owner,
  'account.signOut': owner,
  'account.devices': owner,
  'account.signOutDevice': owner,
  'account.delete': owner,
  'ticket.verify': operator,
  'ticket.doorDates': operator,
  'ticket.lookup': operator,
  'ticket.checkIn': operator,
  'ticket.undoEntry': operator,
  'ticket.doorList': operator,
  'ticket.uploadEntries': { ...operator, bodyBytes: MAX_BODY_BYTES },
  'ticket.doorCount': operator,
  'ticket.publicKey': poll,
  'ticket.mine': owner,
  'ticket.get': owner,
  'ticket.transfer': { ...owner, rateLimited: true },
  'ticket.cancelOffer': owner,
  'admin.login': { ...arrival, rateLimited: true },
  'admin.logout': poll,
  'admin.me': operator,
  'admin.operator.list': operator,
  'admin.operator.invite': operator,
  'admin.operator.setRole': operator,
  'admin.operator.remove': operator,
  'admin.operator.endSessions': operator,
  'admin.invitation.view': { ...arrival, rateLimited: true },
  'admin.invitation.accept': { ...arrival, rateLimited: true },
  'admin.concert.create': { ...operator, bodyBytes: MAX_BODY_BYTES },
  'admin.sale.list': operator,
  'admin.sale.stats': operator,
  'admin.sale.history': operator,
  'admin.sale.update': operator,
  'admin.sale.pause': operator,
  'admin.sale.resume': operator,
  'admin.sale.close': operator,
  'admin.audit.list': operator,
  'admin.audit.actors': operator,
};

/**
 * What a caller proves with its cookies (checked by the request layer), asked only for what a
 * procedure of the call needs: most calls need one signature checked, a join or a poll none.
 */
export type Credentials = (need: NonNullable<ProcedurePolicy['needs']>) => boolean;

export interface CallPolicy {
  priority: Priority;
  bodyBytes: number;
  /** The procedures of the call (several for a batch). */
  procedures: string[];
}

const rank = (priority: Priority) => PRIORITIES.indexOf(priority);

/**
 * The policy of one HTTP call: a single procedure or a batch (`a,b,c`). A batch gets the lowest
 * priority of its calls and the largest body cap among them. A procedure whose caller lacks what it
 * needs, or one that does not exist, counts as `arrivals` with the default cap.
 */
export function policyOf(procedurePath: string, credentials: Credentials): CallPolicy {
  const procedures = procedurePath.split(',');
  let priority: Priority = PRIORITIES[0];
  let bodyBytes = 0;
  for (const name of procedures) {
    const known = Object.hasOwn(PROCEDURE_POLICIES, name) ? PROCEDURE_POLICIES[name] : undefined;
    const allowed = known && (known.needs === undefined || credentials(known.needs));
    const policy = allowed ? known : arrival;
    if (rank(policy.priority) > rank(priority)) priority = policy.priority;
    bodyBytes = Math.max(bodyBytes, policy.bodyBytes);
  }
  return { priority, bodyBytes, procedures };
}
