import { JOIN_DIFFICULTY_MAX } from '@/db/limits';

/**
 * The join challenge's automatic rise: while a line's joins per second (server/queue/join-stats.ts,
 * over its last whole seconds) exceed the sale's `join_surge_per_second`, every new challenge costs
 * JOIN_SURGE_FACTOR times the sale's difficulty (at most JOIN_DIFFICULTY_MAX). The challenge issuer
 * and the operator's console both decide with `effectiveDifficulty`, so they cannot disagree.
 */
export const JOIN_SURGE_FACTOR = 4;

export interface JoinDifficultySettings {
  joinDifficulty: number;
  /** Null: the difficulty never rises by itself. */
  joinSurgePerSecond: number | null;
}

/** The difficulty a challenge gets now, and whether the surge raised it. */
export function effectiveDifficulty(
  { joinDifficulty, joinSurgePerSecond }: JoinDifficultySettings,
  joinsPerSecond: number,
): { difficulty: number; surging: boolean } {
  const surging = joinSurgePerSecond !== null && joinsPerSecond > joinSurgePerSecond;
  return { difficulty: surging ? Math.min(joinDifficulty * JOIN_SURGE_FACTOR, JOIN_DIFFICULTY_MAX) : joinDifficulty, surging };
}
