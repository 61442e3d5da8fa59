import { describe, expect, it } from 'vitest';
import { seatsLeftToPick, type CountedOrder } from './purchase-limits';

const limits = { holdMax: 4, purchaseMax: 4 };
const order = (concertId: number, status: string, seats: number): CountedOrder => ({ concertId, status, seats: Array(seats).fill({}) });

describe('seatsLeftToPick', () => {
  it('is the purchase limit for a fan with no orders', () => {
    expect(seatsLeftToPick([], 1, limits)).toBe(4);
  });

  it('counts the seats bought and held for this concert, on any date', () => {
    expect(seatsLeftToPick([order(1, 'confirmed', 3)], 1, limits)).toBe(1);
    expect(seatsLeftToPick([order(1, 'confirmed', 2), order(1, 'held', 2)], 1, limits)).toBe(0);
  });

  it('does not count orders that hold nothing any more, nor another concert’s bought seats', () => {
    expect(
      seatsLeftToPick([order(1, 'expired', 2), order(1, 'cancelled', 1), order(1, 'refunded', 4), order(2, 'confirmed', 4)], 1, limits),
    ).toBe(4);
  });

  it('counts another concert’s held seats against the hold limit', () => {
    expect(seatsLeftToPick([order(2, 'held', 3)], 1, limits)).toBe(1);
    expect(seatsLeftToPick([order(2, 'held', 3)], 1, { holdMax: 4, purchaseMax: 2 })).toBe(1);
    expect(seatsLeftToPick([], 1, { holdMax: 4, purchaseMax: 2 })).toBe(2);
  });

  it('is never below zero', () => {
    expect(seatsLeftToPick([order(1, 'confirmed', 4), order(1, 'held', 1)], 1, limits)).toBe(0);
  });
});
