import { describe, expect, it } from 'vitest';
import { keptToken } from './kept-token';

describe('which place one person keeps when a guest joins an account', () => {
  it('a running turn beats a wait, an earlier place a later one, a drawn place one not drawn yet; else the account keeps its own', () => {
    expect(keptToken({ status: 'waiting', place: 1 }, { status: 'active', place: 9 })).toBe('second');
    expect(keptToken({ status: 'active', place: 9 }, { status: 'waiting', place: 1 })).toBe('first');
    expect(keptToken({ status: 'waiting', place: 30 }, { status: 'waiting', place: 12 })).toBe('second');
    expect(keptToken({ status: 'waiting', place: 12 }, { status: 'waiting', place: 30 })).toBe('first');
    expect(keptToken({ status: 'waiting', place: null }, { status: 'waiting', place: 5 })).toBe('second');
    expect(keptToken({ status: 'waiting', place: 5 }, { status: 'waiting', place: null })).toBe('first');
    expect(keptToken({ status: 'waiting', place: null }, { status: 'waiting', place: null })).toBe('first');
    expect(keptToken({ status: 'active', place: 3 }, { status: 'active', place: 2 })).toBe('second');
  });
});
