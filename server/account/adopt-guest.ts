import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { authUsers, ledgerEntries, orders, payments, queueTokens, reservations, tickets, users, wallets } from '@/db/schema';
import { DomainError } from '@/server/errors';
import { admitAfterTurnEnded } from '@/server/queue/admission';
import type { Config } from '@/server/env';
import { MAX_BALANCE } from '@/server/shared/limits';
import { keptToken, type LiveToken } from './kept-token';

/**
 * A guest who signs up or signs in becomes the account: its orders (with their tickets and
 * reservations) and payments move to the account, its balance moves with a pair of ledger entries
 * (`moved_out` on the guest, `moved_in` on the account), and its live places in lines move too,
 * keeping the better one where both hold a place in the same line (server/account/kept-token.ts).
 * The guest is then marked `merged_into` the account: its old cookie still proves the guest, which
 * now holds nothing.
 *
 * Locks, in the documented order (db/schema.ts): both users rows (by id), then orders, reservations,
 * wallets (by id) and queue_tokens. A second adoption of the same guest waits for the first and
 * finds nothing left to move.
 */

export interface Adoption {
  orders: number;
  moved: number;
  places: number;
}

const NOTHING: Adoption = { orders: 0, moved: 0, places: 0 };

export async function adoptGuest(
  db: Db,
  config: Config,
  { guestId, accountId }: { guestId: string; accountId: string },
): Promise<Adoption> {
  if (guestId === accountId) return NOTHING;
  const { adoption, endedLines } = await db.transaction(async (tx) => {
    const people = await tx
      .select({ id: users.id, mergedInto: users.mergedInto })
      .from(users)
      .where(inArray(users.id, [guestId, accountId]))
      .orderBy(asc(users.id))
      .for('update');
    const guest = people.find((p) => p.id === guestId);
    if (!guest || guest.mergedInto !== null || people.length < 2) return { adoption: NOTHING, endedLines: [] };
    // A person with an account of its own is not a guest: two accounts are never merged.
    const [ownAccount] = await tx.select({ id: authUsers.id }).from(authUsers).where(eq(authUsers.id, guestId));
    if (ownAccount) return { adoption: NOTHING, endedLines: [] };

    const movedOrders = await tx.update(orders).set({ userId: accountId }).where(eq(orders.userId, guestId)).returning({ id: orders.id });
    await tx.update(reservations).set({ userId: accountId }).where(eq(reservations.userId, guestId));
    await tx.update(payments).set({ userId: accountId }).where(eq(payments.userId, guestId));
    await tx.update(tickets).set({ holderId: accountId }).where(eq(tickets.holderId, guestId));
    const moved = await moveBalance(tx, { guestId, accountId });
    const { places, endedLines } = await movePlaces(tx, { guestId, accountId });
    await tx.update(users).set({ mergedInto: accountId }).where(eq(users.id, guestId));
    return { adoption: { orders: movedOrders.length, moved, places }, endedLines };
  });
  // A turn the guest gave up for the account's: its slot goes to the next fan of that line.
  for (const concertId of endedLines) await admitAfterTurnEnded(db, config, { concertId });
  return adoption;
}

/** The guest's whole balance, as a pair of ledger entries; refused (nothing moved) past MAX_BALANCE. */
async function moveBalance(tx: Tx, { guestId, accountId }: { guestId: string; accountId: string }): Promise<number> {
  const both = await tx
    .select({ userId: wallets.userId, balance: wallets.balance })
    .from(wallets)
    .where(inArray(wallets.userId, [guestId, accountId]))
    .orderBy(asc(wallets.userId))
    .for('update');
  const amount = both.find((w) => w.userId === guestId)?.balance ?? 0;
  const before = both.find((w) => w.userId === accountId)?.balance ?? 0;
  if (amount === 0) return 0;
  if (before + amount > MAX_BALANCE) {
    throw new DomainError(
      'BALANCE_LIMIT',
      `This guest wallet and the account's together would pass ₩${MAX_BALANCE.toLocaleString('en-US')}.`,
      {
        balance: before,
        guestBalance: amount,
      },
    );
  }
  await tx
    .update(wallets)
    .set({ balance: 0, updatedAt: sql`now()` })
    .where(eq(wallets.userId, guestId));
  await tx
    .update(wallets)
    .set({ balance: before + amount, updatedAt: sql`now()` })
    .where(eq(wallets.userId, accountId));
  await tx.insert(ledgerEntries).values([
    { userId: guestId, kind: 'moved_out', amount: -amount, balanceAfter: 0 },
    { userId: accountId, kind: 'moved_in', amount, balanceAfter: before + amount },
  ]);
  return amount;
}

/** The guest's live tokens: each moves to the account, or ends where the account keeps its own. */
async function movePlaces(tx: Tx, { guestId, accountId }: { guestId: string; accountId: string }) {
  const live = await tx
    .select({
      id: queueTokens.id,
      userId: queueTokens.userId,
      concertId: queueTokens.concertId,
      status: queueTokens.status,
      place: queueTokens.place,
    })
    .from(queueTokens)
    .where(and(inArray(queueTokens.userId, [guestId, accountId]), inArray(queueTokens.status, ['waiting', 'active'])))
    .orderBy(asc(queueTokens.id))
    .for('update');
  const endedLines: number[] = [];
  let places = 0;
  for (const token of live.filter((t) => t.userId === guestId)) {
    const own = live.find((t) => t.userId === accountId && t.concertId === token.concertId);
    const asLive = (t: typeof token): LiveToken => ({ status: t.status as LiveToken['status'], place: t.place });
    if (own && keptToken(asLive(own), asLive(token)) === 'first') {
      await endToken(tx, token.id, token.status);
      if (token.status === 'active') endedLines.push(token.concertId);
      continue;
    }
    if (own) {
      await endToken(tx, own.id, own.status);
      if (own.status === 'active') endedLines.push(own.concertId);
    }
    await tx.update(queueTokens).set({ userId: accountId }).where(eq(queueTokens.id, token.id));
    places += 1;
  }
  return { places, endedLines };
}

/** A waiting token gives up its place (expired); an active one ends its turn (done), freeing its slot. */
async function endToken(tx: Tx, id: number, status: string) {
  const ended = status === 'active' ? { status: 'done' as const, expiresAt: sql`now()` } : { status: 'expired' as const };
  await tx.update(queueTokens).set(ended).where(eq(queueTokens.id, id));
}
