import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import type { SaleState } from '@/server/sale/service';
import { lineState } from './line-cache';
import { saleOf } from './views';

export interface LineSale {
  concertId: number;
  saleState: SaleState;
  pausedSince: string | null;
}

/**
 * `queue.line`: a line's sale state as every waiting fan is told it (paused, and since when), from the
 * line cache: at most a second old, and no database statement per call. The same for every fan of the
 * line and nobody's secret, so it needs no session: the waiting room asks for it every couple of
 * seconds (beside its own, slower, `queue.status`), and a pause reaches every waiting fan within 2 s.
 */
export async function lineSale(db: Db, concertId: number): Promise<LineSale> {
  const line = await lineState(db, concertId);
  if (!line) throw new DomainError('NOT_FOUND', 'There is no such line.');
  return { concertId, ...saleOf(line, line.closedReason) };
}
