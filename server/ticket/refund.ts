import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '@/db/client';
import { ticketTransfers, tickets } from '@/db/schema';
import { readTickets } from './read';

/**
 * What an order's refund covers: the tickets the buyer still holds and has not used (a ticket passed
 * on is its new holder's; a pending offer is withdrawn by the refund). Locks the order's tickets, after
 * its seats and reservations (the documented order).
 */
export async function ticketsToRefund(tx: Tx, { userId, orderId }: { userId: string; orderId: number }) {
  const all = await readTickets(tx, sql`t.order_id = ${orderId}`, { lock: true });
  const kept = all.filter((t) => t.holderId === userId && t.status === 'live' && !t.entry);
  return { tickets: kept, amount: kept.reduce((sum, t) => sum + t.price, 0) };
}

/** Voids refunded tickets and withdraws their pending offers (tickets → ticket_transfers). */
export async function refundTickets(tx: Tx, refunded: { id: number }[]) {
  const ids = refunded.map((t) => t.id);
  await tx
    .update(tickets)
    .set({ status: 'refunded', updatedAt: sql`now()` })
    .where(inArray(tickets.id, ids));
  await tx
    .update(ticketTransfers)
    .set({ status: 'cancelled', updatedAt: sql`now()` })
    .where(and(inArray(ticketTransfers.ticketId, ids), eq(ticketTransfers.status, 'offered')));
}
