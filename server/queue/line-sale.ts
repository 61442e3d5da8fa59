import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import type { SaleState } from '@/server/sale/service';
import { lineState } from './line-cache';
import { verifyQueuePass } from './queue-pass';
import { validTokenString } from './read-token';
import { saleOf } from './views';

export interface LineSale {
  concertId: number;
  saleState: SaleState;
  pausedSince: string | null;
}

/**
 * `queue.line`: a line's sale state as every waiting fan is told it (paused, and since when), from the
 * line cache: at most a second old, and no database statement per call. The waiting room asks for it
 * every LINE_SALE_POLL_MS beside its own, slower, `queue.status`, so a pause reaches every waiting fan
 * within 2 s. Only for someone in that line: the caller's queue pass of the line (HMACs, no database)
 * proves it, so nobody can make a server look up lines by the million.
 */
export async function lineSale(
  db: Db,
  config: Pick<Config, 'SESSION_SECRET'>,
  {
    userId,
    concertId,
    token,
    queuePasses,
  }: { userId: string; concertId: number; token: string | undefined; queuePasses: (string | undefined)[] },
): Promise<LineSale> {
  const inLine =
    validTokenString(token) &&
    queuePasses.some((value) => verifyQueuePass(config.SESSION_SECRET, value, { userId, token })?.concertId === concertId);
  if (!inLine) throw new DomainError('TOKEN_INVALID', 'Only someone waiting in this line can read it: join it first.');
  const line = await lineState(db, concertId);
  if (!line) throw new DomainError('TOKEN_INVALID', 'Only someone waiting in this line can read it: join it first.');
  return { concertId, ...saleOf(line, line.closedReason) };
}
