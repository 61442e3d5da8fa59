import { describe, expect, it } from 'vitest';
import { JOIN_DIFFICULTY_MAX } from '@/db/limits';
import { effectiveDifficulty, JOIN_SURGE_FACTOR } from './join-surge';

describe('the join challenge’s surge', () => {
  it('keeps the sale’s difficulty while joins stay at or below the threshold', () => {
    expect(effectiveDifficulty({ joinDifficulty: 4_000, joinSurgePerSecond: 50 }, 0)).toEqual({ difficulty: 4_000, surging: false });
    expect(effectiveDifficulty({ joinDifficulty: 4_000, joinSurgePerSecond: 50 }, 50)).toEqual({ difficulty: 4_000, surging: false });
  });

  it('multiplies it by JOIN_SURGE_FACTOR once joins exceed the threshold', () => {
    expect(JOIN_SURGE_FACTOR).toBe(4);
    expect(effectiveDifficulty({ joinDifficulty: 4_000, joinSurgePerSecond: 50 }, 50.1)).toEqual({ difficulty: 16_000, surging: true });
  });

  it('never rises with no threshold, however fast joins come', () => {
    expect(effectiveDifficulty({ joinDifficulty: 4_000, joinSurgePerSecond: null }, 1e9)).toEqual({ difficulty: 4_000, surging: false });
  });

  it('stops at JOIN_DIFFICULTY_MAX', () => {
    expect(effectiveDifficulty({ joinDifficulty: 300_000, joinSurgePerSecond: 1 }, 2)).toEqual({
      difficulty: JOIN_DIFFICULTY_MAX,
      surging: true,
    });
  });
});
