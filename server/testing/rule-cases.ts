import type { ReservationStatus, SaleClosedReason, TokenStatus } from '@/db/schema';
import type { SaleState } from '@/server/sale/service';

/**
 * The rules of the product as tables of cases with their answers, shared by the TypeScript rules'
 * unit test (server/rules.test.ts) and the SQL agreement test (server/rules-agreement.test.ts), so
 * that the TypeScript rule and its SQL helper (db/functions/) answer every case alike. Times are
 * seconds from the instant the case is judged at; 0 is that very instant (the boundary: judged
 * exactly only where the instant is given, not where the database's clock runs on).
 */

export interface ReservationCase {
  name: string;
  status: ReservationStatus;
  heldFor: number;
  /** Takes its seat (`isLiveReservation`, `is_live_reservation`). */
  live: boolean;
  /** A hold that can still be paid (`isLiveHold`, `is_live_hold`). */
  liveHold: boolean;
}

export const RESERVATION_CASES: readonly ReservationCase[] = [
  { name: 'a hold with a minute left', status: 'held', heldFor: 60, live: true, liveHold: true },
  { name: 'a hold that ran out a second ago, not yet marked', status: 'held', heldFor: -1, live: false, liveHold: false },
  { name: 'a hold running out this instant', status: 'held', heldFor: 0, live: false, liveHold: false },
  { name: 'a sold seat, its hold long over', status: 'confirmed', heldFor: -60, live: true, liveHold: false },
  { name: 'a hold marked expired', status: 'expired', heldFor: -60, live: false, liveHold: false },
  { name: 'a cancelled hold whose clock is still ahead', status: 'cancelled', heldFor: 60, live: false, liveHold: false },
];

export interface TurnCase {
  name: string;
  status: TokenStatus;
  /** Seconds until `expires_at`; null: no expiry (a token not admitted). */
  expiresIn: number | null;
  /** `isRunningTurn`, `is_running_turn`. */
  running: boolean;
  /** An active turn whose time is up, not yet marked (`turnRanOut`, `turn_ran_out`). */
  ranOut: boolean;
}

export const TURN_CASES: readonly TurnCase[] = [
  { name: 'a turn with a minute left', status: 'active', expiresIn: 60, running: true, ranOut: false },
  { name: 'a turn that ended a second ago, not yet marked', status: 'active', expiresIn: -1, running: false, ranOut: true },
  { name: 'a turn ending this instant', status: 'active', expiresIn: 0, running: false, ranOut: true },
  { name: 'a turn marked expired', status: 'expired', expiresIn: -60, running: false, ranOut: false },
  { name: 'a turn ended by a payment', status: 'done', expiresIn: 60, running: false, ranOut: false },
  { name: 'a token still waiting', status: 'waiting', expiresIn: null, running: false, ranOut: false },
];

export interface SaleCase {
  name: string;
  /** The draw ran (`opened_at` set). */
  drawn: boolean;
  closedReason: SaleClosedReason | null;
  paused: boolean;
  prequeueOpensIn: number;
  opensIn: number;
  /** `saleStateOf`, `sale_state`. */
  state: SaleState;
  /** The line admits (`lineAdmits`; `admit_line` admits). */
  admits: boolean;
}

export const SALE_CASES: readonly SaleCase[] = [
  {
    name: 'before the pre-queue',
    drawn: false,
    closedReason: null,
    paused: false,
    prequeueOpensIn: 60,
    opensIn: 120,
    state: 'scheduled',
    admits: false,
  },
  {
    name: 'in the pre-queue',
    drawn: false,
    closedReason: null,
    paused: false,
    prequeueOpensIn: -60,
    opensIn: 60,
    state: 'prequeue',
    admits: false,
  },
  {
    name: 'the pre-queue opening this instant',
    drawn: false,
    closedReason: null,
    paused: false,
    prequeueOpensIn: 0,
    opensIn: 60,
    state: 'prequeue',
    admits: false,
  },
  {
    name: 'open and drawn',
    drawn: true,
    closedReason: null,
    paused: false,
    prequeueOpensIn: -120,
    opensIn: -60,
    state: 'open',
    admits: true,
  },
  {
    name: 'opening this instant, drawn',
    drawn: true,
    closedReason: null,
    paused: false,
    prequeueOpensIn: -60,
    opensIn: 0,
    state: 'open',
    admits: true,
  },
  {
    name: 'open, the draw not run yet',
    drawn: false,
    closedReason: null,
    paused: false,
    prequeueOpensIn: -120,
    opensIn: -60,
    state: 'open',
    admits: false,
  },
  { name: 'paused', drawn: true, closedReason: null, paused: true, prequeueOpensIn: -120, opensIn: -60, state: 'paused', admits: false },
  {
    name: 'paused before its opening',
    drawn: false,
    closedReason: null,
    paused: true,
    prequeueOpensIn: -60,
    opensIn: 60,
    state: 'prequeue',
    admits: false,
  },
  {
    name: 'sold out',
    drawn: true,
    closedReason: 'sold_out',
    paused: false,
    prequeueOpensIn: -120,
    opensIn: -60,
    state: 'sold_out',
    admits: false,
  },
  {
    name: 'closed while paused',
    drawn: true,
    closedReason: 'closed',
    paused: true,
    prequeueOpensIn: -120,
    opensIn: -60,
    state: 'closed',
    admits: false,
  },
  {
    name: 'closed before its opening',
    drawn: false,
    closedReason: 'closed',
    paused: false,
    prequeueOpensIn: 60,
    opensIn: 120,
    state: 'closed',
    admits: false,
  },
];

/** The limits the limit cases are judged under. */
export const CASE_LIMITS = { HOLD_MAX_PER_USER: 4, PURCHASE_MAX_PER_USER: 6 } as const;

export interface LimitCase {
  name: string;
  /** Seats of the concert the user bought. */
  bought: number;
  /** Seats of the concert the user holds. */
  heldHere: number;
  /** Seats of another concert the user holds. */
  heldElsewhere: number;
  wanted: number;
  /** `holdLimitRefusal`, `hold_limit_refusal`, `hold_seats`'s outcome under CASE_LIMITS. */
  refusal: 'HOLD_LIMIT' | 'PURCHASE_LIMIT' | null;
}

export const LIMIT_CASES: readonly LimitCase[] = [
  { name: 'the first seats, up to the hold limit', bought: 0, heldHere: 0, heldElsewhere: 0, wanted: 4, refusal: null },
  { name: 'one seat past the hold limit', bought: 0, heldHere: 0, heldElsewhere: 0, wanted: 5, refusal: 'HOLD_LIMIT' },
  { name: 'holds of another concert count for the hold limit', bought: 0, heldHere: 1, heldElsewhere: 2, wanted: 2, refusal: 'HOLD_LIMIT' },
  { name: 'up to the hold limit across concerts', bought: 0, heldHere: 1, heldElsewhere: 2, wanted: 1, refusal: null },
  { name: 'bought seats count for the purchase limit', bought: 4, heldHere: 0, heldElsewhere: 0, wanted: 3, refusal: 'PURCHASE_LIMIT' },
  { name: 'up to the purchase limit', bought: 4, heldHere: 1, heldElsewhere: 0, wanted: 1, refusal: null },
  {
    name: 'held and bought together past the purchase limit',
    bought: 4,
    heldHere: 2,
    heldElsewhere: 0,
    wanted: 1,
    refusal: 'PURCHASE_LIMIT',
  },
  { name: 'both limits passed: the hold limit is named', bought: 4, heldHere: 2, heldElsewhere: 2, wanted: 1, refusal: 'HOLD_LIMIT' },
];

/** The counts `holdLimitRefusal` takes, for a limit case. */
export const limitCounts = (c: LimitCase) => ({ holds: c.heldHere + c.heldElsewhere, ofConcert: c.bought + c.heldHere, wanted: c.wanted });
