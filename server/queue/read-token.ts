import { eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { queueState, queueTokens, sales } from '@/db/schema';
import { lineColumns } from './line-columns';

const MAX_TOKEN_LENGTH = 64;

function tokenQuery(db: DbOrTx) {
  return db
    .select({
      id: queueTokens.id,
      token: queueTokens.token,
      userId: queueTokens.userId,
      concertId: queueTokens.concertId,
      place: queueTokens.place,
      status: queueTokens.status,
      closedReason: queueTokens.closedReason,
      expiresAt: queueTokens.expiresAt,
      lastSeenAt: queueTokens.lastSeenAt,
      saleClosedReason: sales.closedReason,
      ...lineColumns,
    })
    .from(queueTokens)
    .innerJoin(queueState, eq(queueState.concertId, queueTokens.concertId))
    .innerJoin(sales, eq(sales.concertId, queueTokens.concertId))
    .where(eq(queueTokens.token, sql.placeholder('token')))
    .prepare('read_queue_token');
}

/** Built once per database handle: this read is the hot path of every poll. */
const preparedTokenQueries = new WeakMap<object, ReturnType<typeof tokenQuery>>();

/** One indexed read: the token with its line's state, its sale and the database's clock. */
export async function readToken(db: Db, token: string) {
  let query = preparedTokenQueries.get(db);
  if (!query) preparedTokenQueries.set(db, (query = tokenQuery(db)));
  const [row] = await query.execute({ token });
  return row;
}

export type TokenRow = NonNullable<Awaited<ReturnType<typeof readToken>>>;

export const validTokenString = (token: string | undefined): token is string =>
  typeof token === 'string' && token.length > 0 && token.length <= MAX_TOKEN_LENGTH;
