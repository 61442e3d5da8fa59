import { describe, expect, it } from 'vitest';
import { joinLabel, saleStateAt, saleTimeFormat } from './sale';

describe('sale times, in Korea whoever looks', () => {
  const opensAt = '2026-11-27T11:00:00Z'; // Fri 20:00 in Seoul
  it('names the day and the time, and the zone in English', () => {
    expect(saleTimeFormat('en').at(opensAt)).toBe('Fri 27 Nov, 20:00 KST');
    expect(saleTimeFormat('ko').at(opensAt)).toBe('11월 27일 (금) 20:00');
  });

  it('gives the pre-queue the time alone when it opens the same day in Korea', () => {
    expect(saleTimeFormat('en').besides('2026-11-27T10:30:00Z', opensAt)).toBe('19:30');
    expect(saleTimeFormat('ko').besides('2026-11-27T10:30:00Z', opensAt)).toBe('19:30');
    // 14:30 UTC on the 26th is 23:30 on the 26th in Seoul: another day there.
    expect(saleTimeFormat('en').besides('2026-11-26T14:30:00Z', opensAt)).toBe('Thu 26 Nov, 23:30 KST');
    // 15:30 UTC on the 26th is already the 27th in Seoul.
    expect(saleTimeFormat('en').besides('2026-11-26T15:30:00Z', opensAt)).toBe('00:30');
  });
});

describe('the state a page shows', () => {
  const sale = { prequeueOpensAt: '2026-11-27T10:30:00Z', opensAt: '2026-11-27T11:00:00Z' };
  const at = (iso: string) => Date.parse(iso);
  it('moves on by itself when the clock passes the pre-queue or the opening', () => {
    expect(saleStateAt({ ...sale, state: 'scheduled' }, at('2026-11-27T10:29:59Z'))).toBe('scheduled');
    expect(saleStateAt({ ...sale, state: 'scheduled' }, at('2026-11-27T10:30:00Z'))).toBe('prequeue');
    expect(saleStateAt({ ...sale, state: 'scheduled' }, at('2026-11-27T11:00:00Z'))).toBe('open');
    expect(saleStateAt({ ...sale, state: 'prequeue' }, at('2026-11-27T11:00:01Z'))).toBe('open');
  });

  it('keeps what only the server knows', () => {
    for (const state of ['paused', 'sold_out', 'closed'] as const)
      expect(saleStateAt({ ...sale, state }, at('2030-01-01T00:00:00Z'))).toBe(state);
  });

  it('offers joining only while a fan may join', () => {
    expect(joinLabel('prequeue')).toBe('sale.joinPrequeue');
    expect(joinLabel('open')).toBe('home.getTickets');
    expect(joinLabel('paused')).toBe('home.getTickets');
    for (const state of ['scheduled', 'sold_out', 'closed'] as const) expect(joinLabel(state)).toBeNull();
  });
});
