import { describe, expect, it } from 'vitest';
import { parseChargeAmount } from './limits';

describe('parseChargeAmount', () => {
  it('accepts whole won from 1 to 1,000,000, with or without commas', () => {
    expect(parseChargeAmount('1')).toBe(1);
    expect(parseChargeAmount(' 50,000 ')).toBe(50_000);
    expect(parseChargeAmount('1000000')).toBe(1_000_000);
  });
  it('refuses what the API refuses', () => {
    for (const raw of ['', '0', '-1', '1.5', '1000001', 'abc', '1e3', '99999999999']) expect(parseChargeAmount(raw)).toBeNull();
  });
});
