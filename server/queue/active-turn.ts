import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { readToken, validTokenString } from './read-token';
import { refresh } from './refresh';
import { isAbandoned, isRunningTurn } from './rules';
import { viewOf } from './views';

export interface ActiveToken {
  id: number;
  concertId: number;
  expiresAt: Date;
}

/**
 * The active-turn rule, for the procedure rungs in server/queue/procedures.ts (and only there).
 * `tokens`: the queue tokens the request carries, the one for `concertId` first. With a `concertId`
 * (the concert of the resource the call touches), the caller's token of that concert's line, active
 * and unexpired, or an error (`TOKEN_WRONG_SALE` when the token is of another concert). Without one
 * (the wallet, the reservation list), an active turn of any sale.
 */
export async function requireActiveToken(
  db: Db,
  config: Config,
  { userId, tokens, concertId }: { userId: string; tokens: (string | undefined)[]; concertId?: number },
): Promise<ActiveToken> {
  const candidates = [...new Set(tokens.filter(validTokenString))];
  if (candidates.length === 0) throw new DomainError('TOKEN_INVALID', 'No queue token: join the queue first.');
  let firstError: unknown;
  for (const token of candidates) {
    try {
      return await activeTurnOf(db, config, { userId, token, concertId });
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

async function activeTurnOf(
  db: Db,
  config: Config,
  { userId, token, concertId }: { userId: string; token: string; concertId?: number },
): Promise<ActiveToken> {
  let row = await readToken(db, token);
  if (!row || row.userId !== userId) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (concertId !== undefined && row.concertId !== concertId) {
    throw new DomainError('TOKEN_WRONG_SALE', 'This queue token is for another concert. Join this concert’s line.', {
      tokenConcertId: row.concertId,
      concertId,
    });
  }
  if (row.status === 'waiting') row = await refresh(db, config, { userId, token, mode: 'skip-if-busy' });
  if (!row) throw new DomainError('TOKEN_INVALID', 'This queue token is not yours or does not exist.');
  if (row.status === 'waiting' && !isAbandoned(row, config)) {
    const view = viewOf(row, config);
    throw new DomainError('TOKEN_NOT_ACTIVE', 'Your turn has not come yet.', {
      position: view.position,
      estimatedWaitSeconds: view.estimatedWaitSeconds,
    });
  }
  if (!isRunningTurn(row)) throw new DomainError('TOKEN_EXPIRED', 'Your turn has ended. Join the queue again.');
  return { id: row.id, concertId: row.concertId, expiresAt: row.expiresAt! };
}
