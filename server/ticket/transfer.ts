import { and, eq, lte, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '@/db/client';
import { authUsers, ticketTransfers, tickets } from '@/db/schema';
import { recordAudit } from '@/server/audit/record';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { mailSender } from '@/server/mail/sender';
import { offerMail } from './offer-mail';
import { readTickets, type TicketFacts } from './read';
import { offerExpiry, transferDeadline } from './rules';

/**
 * Passing a ticket to another account (docs/tickets-and-door.md "Transfer"). Face value only: no
 * money moves. Locks, in the documented order: tickets → ticket_transfers.
 */

export type TransferResult =
  | { outcome: 'transferred'; reference: string; toEmail: string }
  | { outcome: 'offered'; reference: string; toEmail: string; expiresAt: string };

type TransferConfig = Pick<Config, 'TRANSFER_CUTOFF_HOURS' | 'TRANSFER_OFFER_HOURS' | 'APP_ORIGIN'>;

const accountOf = async (db: Db | Tx, where: SQL) =>
  (await db.select({ id: authUsers.id, email: authUsers.email, emailVerified: authUsers.emailVerified }).from(authUsers).where(where))[0];

/** The caller's ticket, locked; NOT_FOUND for a ticket they never held, TICKET_NOT_HELD once given away. */
async function lockHeldTicket(tx: Tx, { userId, reference }: { userId: string; reference: string }): Promise<TicketFacts> {
  const [ticket] = await readTickets(tx, sql`t.reference = ${reference}`, { lock: true });
  if (!ticket || (ticket.holderId !== userId && ticket.buyerId !== userId)) throw new DomainError('NOT_FOUND', 'There is no such ticket.');
  if (ticket.holderId !== userId) throw new DomainError('TICKET_NOT_HELD', 'This ticket was passed to someone else; it is theirs now.');
  return ticket;
}

/** Offers past their expiry are marked so (the ticket stays with the giver, under the serial it has). */
async function expireOffers(tx: Tx, ticketId: number) {
  await tx
    .update(ticketTransfers)
    .set({ status: 'expired', updatedAt: sql`now()` })
    .where(and(eq(ticketTransfers.ticketId, ticketId), eq(ticketTransfers.status, 'offered'), lte(ticketTransfers.expiresAt, sql`now()`)));
}

export async function transferTicket(
  db: Db,
  config: TransferConfig,
  input: { userId: string; reference: string; toEmail: string; offerIfNoAccount: boolean; requestId?: string },
): Promise<TransferResult> {
  const toEmail = input.toEmail.trim().toLowerCase();
  const giver = await accountOf(db, eq(authUsers.id, input.userId));
  if (!giver) throw new DomainError('ACCOUNT_REQUIRED', 'Sign up (or sign in) to pass a ticket to a friend.');
  const result = await db.transaction(async (tx) => {
    const ticket = await lockHeldTicket(tx, input);
    await expireOffers(tx, ticket.id);
    if (ticket.state !== 'valid') {
      throw new DomainError('TICKET_NOT_TRANSFERABLE', `This ticket cannot be passed on: it is ${ticket.state}.`, { why: ticket.state });
    }
    const deadline = transferDeadline(ticket.startsAt, config.TRANSFER_CUTOFF_HOURS);
    if (ticket.now >= deadline) {
      throw new DomainError(
        'TRANSFER_CLOSED',
        `Tickets can be passed on until ${config.TRANSFER_CUTOFF_HOURS} hours before the show; that time has passed.`,
        { deadline: deadline.toISOString() },
      );
    }
    if (toEmail === giver.email.toLowerCase()) throw new DomainError('TRANSFER_TO_SELF', 'This ticket is already yours.');
    const recipient = await accountOf(tx, sql`lower(${authUsers.email}) = ${toEmail}`);
    if (!recipient && !input.offerIfNoAccount) {
      throw new DomainError('RECIPIENT_UNKNOWN', 'No account has this email. Check it, or send an offer they can claim by signing up.', {
        toEmail,
      });
    }
    const bumped = { serial: sql`${tickets.serial} + 1`, updatedAt: sql`now()` };
    if (recipient) {
      await tx
        .update(tickets)
        .set({ ...bumped, holderId: recipient.id })
        .where(eq(tickets.id, ticket.id));
      await tx.insert(ticketTransfers).values({
        ticketId: ticket.id,
        fromUserId: input.userId,
        toEmail,
        toUserId: recipient.id,
        status: 'accepted',
        expiresAt: ticket.now,
      });
    } else {
      const expiresAt = offerExpiry(ticket, { cutoffHours: config.TRANSFER_CUTOFF_HOURS, offerHours: config.TRANSFER_OFFER_HOURS });
      await tx.update(tickets).set(bumped).where(eq(tickets.id, ticket.id));
      await tx.insert(ticketTransfers).values({ ticketId: ticket.id, fromUserId: input.userId, toEmail, status: 'offered', expiresAt });
    }
    const outcome = recipient ? 'transferred' : 'offered';
    await recordAudit(
      tx,
      { actor: { id: input.userId, name: ticket.holderName, role: 'fan' }, requestId: input.requestId },
      {
        action: 'ticket.transfer',
        concertId: ticket.concertId,
        target: ticket.reference,
        before: { holder: input.userId, serial: ticket.serial },
        after: { outcome, holder: recipient?.id ?? input.userId, toEmail, serial: ticket.serial + 1 },
      },
    );
    return { ticket, recipient, outcome };
  });
  if (result.outcome === 'transferred') return { outcome: 'transferred', reference: input.reference, toEmail };
  const expiresAt = offerExpiry(result.ticket, { cutoffHours: config.TRANSFER_CUTOFF_HOURS, offerHours: config.TRANSFER_OFFER_HOURS });
  // After the commit: the offer stands whether or not the mail goes out (the giver sees it pending and can cancel).
  await mailSender(db, config as Config)
    .send(offerMail(config, { to: toEmail, from: result.ticket.holderName, ticket: result.ticket, expiresAt }))
    .catch(() => undefined);
  return { outcome: 'offered', reference: input.reference, toEmail, expiresAt: expiresAt.toISOString() };
}

/** Withdraws a pending offer: the ticket stays with the caller (its QR under the serial it has now). */
export async function cancelOffer(db: Db, { userId, reference, requestId }: { userId: string; reference: string; requestId?: string }) {
  await db.transaction(async (tx) => {
    const ticket = await lockHeldTicket(tx, { userId, reference });
    await expireOffers(tx, ticket.id);
    const withdrawn = await tx
      .update(ticketTransfers)
      .set({ status: 'cancelled', updatedAt: sql`now()` })
      .where(and(eq(ticketTransfers.ticketId, ticket.id), eq(ticketTransfers.status, 'offered')))
      .returning({ toEmail: ticketTransfers.toEmail });
    if (withdrawn.length === 0) throw new DomainError('NOT_FOUND', 'This ticket has no pending offer.');
    await recordAudit(
      tx,
      { actor: { id: userId, name: ticket.holderName, role: 'fan' }, requestId },
      { action: 'ticket.cancelOffer', concertId: ticket.concertId, target: reference, before: { toEmail: withdrawn[0]!.toEmail } },
    );
  });
}

/**
 * Gives the caller the tickets offered to their email, once it is verified (an unverified address
 * proves nothing). Called when a fan signs in or up and when they read their tickets. Returns how many.
 */
export async function claimOffers(db: Db, { userId }: { userId: string }): Promise<number> {
  const account = await accountOf(db, eq(authUsers.id, userId));
  if (!account?.emailVerified) return 0;
  const email = account.email.toLowerCase();
  const offers = await db
    .select({ id: ticketTransfers.id, ticketId: ticketTransfers.ticketId })
    .from(ticketTransfers)
    .where(and(eq(ticketTransfers.toEmail, email), eq(ticketTransfers.status, 'offered')));
  let claimed = 0;
  for (const offer of offers) {
    claimed += await db.transaction(async (tx) => {
      const [ticket] = await readTickets(tx, sql`t.id = ${offer.ticketId}`, { lock: true });
      const [still] = await tx
        .select({ fromUserId: ticketTransfers.fromUserId })
        .from(ticketTransfers)
        .where(and(eq(ticketTransfers.id, offer.id), eq(ticketTransfers.status, 'offered'), sql`${ticketTransfers.expiresAt} > now()`))
        .for('update');
      if (!ticket || !still || ticket.state !== 'offered' || ticket.holderId !== still.fromUserId || still.fromUserId === userId) return 0;
      await tx
        .update(tickets)
        .set({ holderId: userId, serial: sql`${tickets.serial} + 1`, updatedAt: sql`now()` })
        .where(eq(tickets.id, ticket.id));
      await tx
        .update(ticketTransfers)
        .set({ status: 'accepted', toUserId: userId, updatedAt: sql`now()` })
        .where(eq(ticketTransfers.id, offer.id));
      await recordAudit(
        tx,
        { actor: { id: userId, name: email, role: 'fan' } },
        {
          action: 'ticket.claim',
          concertId: ticket.concertId,
          target: ticket.reference,
          before: { holder: still.fromUserId },
          after: { holder: userId },
        },
      );
      return 1;
    });
  }
  return claimed;
}
