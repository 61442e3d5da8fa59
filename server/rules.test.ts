import { describe, expect, it } from 'vitest';
import { lineAdmits } from './queue/line-upkeep';
import { isRunningTurn } from './queue/rules';
import { holdLimitRefusal, isLiveHold, isLiveReservation } from './reservation/rules';
import { saleStateOf } from './sale/service';
import { CASE_LIMITS, LIMIT_CASES, limitCounts, RESERVATION_CASES, SALE_CASES, TURN_CASES } from './testing/rule-cases';

/** The TypeScript rules answer the shared cases (server/testing/rule-cases.ts); the SQL helpers answer them too (rules-agreement.test.ts). */
const at = new Date('2026-11-27T11:00:00Z');
const after = (seconds: number) => new Date(at.getTime() + seconds * 1000);

describe('the TypeScript rules, over the shared cases', () => {
  it.each(RESERVATION_CASES)('a reservation: $name', (c) => {
    const r = { status: c.status, heldUntil: after(c.heldFor) };
    expect({ live: isLiveReservation(r, at), liveHold: isLiveHold(r, at) }).toEqual({ live: c.live, liveHold: c.liveHold });
  });

  it.each(TURN_CASES)('a turn: $name', (c) => {
    const row = { status: c.status, expiresAt: c.expiresIn === null ? null : after(c.expiresIn), lastSeenAt: at, now: at };
    const running = isRunningTurn(row);
    expect({ running, ranOut: c.status === 'active' && !running }).toEqual({ running: c.running, ranOut: c.ranOut });
  });

  it.each(SALE_CASES)('a sale: $name', (c) => {
    const sale = {
      prequeueOpensAt: after(c.prequeueOpensIn),
      opensAt: after(c.opensIn),
      paused: c.paused,
      closedReason: c.closedReason,
      openedAt: c.drawn ? after(c.opensIn) : null,
      now: at,
    };
    expect({ state: saleStateOf(sale, at), admits: lineAdmits(sale) }).toEqual({ state: c.state, admits: c.admits });
  });

  it.each(LIMIT_CASES)('the limits: $name', (c) => {
    expect(holdLimitRefusal(limitCounts(c), CASE_LIMITS)).toBe(c.refusal);
  });
});
