import { JOIN_DIFFICULTY_MAX } from '@/db/limits';

/** While a line's joins per second exceed its sale's `join_surge_per_second`, the difficulty is this many times its base. */
export const JOIN_SURGE_FACTOR = 4;

/** The join challenge's difficulty now: the sale's, raised while joins come faster than its surge threshold. */
export function effectiveDifficulty(
  sale: { joinDifficulty: number; joinSurgePerSecond: number | null },
  joinsPerSecond: number,
): { difficulty: number; surging: boolean } {
  const surging = sale.joinSurgePerSecond !== null && joinsPerSecond > sale.joinSurgePerSecond;
  return { difficulty: surging ? Math.min(JOIN_DIFFICULTY_MAX, sale.joinDifficulty * JOIN_SURGE_FACTOR) : sale.joinDifficulty, surging };
}
