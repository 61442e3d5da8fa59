import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx, Tx } from '@/db/client';
import { ticketEntries } from '@/db/schema';
import type { Attribution } from '@/server/audit/actor';
import { recordAudit } from '@/server/audit/record';
import { DomainError, PG, pgCode } from '@/server/errors';
import { normalizeBookingCode } from '@/server/order/booking-code';
import { isTicketQr, normalizeTicketReference, readTicketQr } from './qr';
import { readTickets, type TicketFacts } from './read';
import { doorRefusal, type DoorRefusal, type TicketState } from './rules';
import { ticketSigningKey } from './signing';

/**
 * The door (docs/tickets-and-door.md "Door"): a ticket is let in by its signed QR, or by a door
 * operator who looked it up and checked the holder's name; at most once (the ticket's row is locked,
 * and ticket_entries_one_admitted backs it). Locks: tickets → ticket_entries.
 */

export interface DoorTicket {
  reference: string;
  scheduleId: number;
  concertTitle: string;
  startsAt: string;
  seat: string;
  holderName: string;
  state: TicketState;
  entry: { at: string; gate: string; operatorName: string; source: 'online' | 'offline' } | null;
}

export type DoorAnswer =
  | { outcome: 'admitted'; ticket: DoorTicket }
  | { outcome: 'already_used'; ticket: DoorTicket }
  | { outcome: 'refused'; reason: DoorRefusal; ticket: DoorTicket | null };

export const doorTicketOf = (t: TicketFacts): DoorTicket => ({
  reference: t.reference,
  scheduleId: t.scheduleId,
  concertTitle: t.concertTitle,
  startsAt: t.startsAt.toISOString(),
  seat: t.seat,
  holderName: t.holderName,
  state: t.state,
  entry: t.entry && { ...t.entry, at: t.entry.at.toISOString() },
});

export type CheckInInput = { scheduleId: number; gate: string } & ({ qr: string } | { reference: string; holderChecked: true });

/** What a scan or a typed reference names: the ticket's reference and the QR's serial, or a refusal. */
export function scannedTicket(secret: string, input: { qr: string } | { reference: string }) {
  if ('reference' in input) {
    const reference = normalizeTicketReference(input.reference);
    return reference ? { reference } : { refusal: 'UNKNOWN' as const };
  }
  if (!isTicketQr(input.qr)) return { refusal: 'UNKNOWN' as const };
  const facts = readTicketQr(ticketSigningKey(secret), input.qr);
  if (facts === 'malformed') return { refusal: 'UNKNOWN' as const };
  if (facts === 'forged') return { refusal: 'FORGED' as const };
  return { reference: facts.reference, serial: facts.serial, scheduleId: facts.scheduleId, seatId: facts.seatId };
}

export interface EntryWrite {
  gate: string;
  operatorId: string;
  operatorName: string;
  source: 'online' | 'offline';
  deviceId?: string;
  localId?: string;
  scannedAt?: Date;
}

/** Inserts the ticket's admitted entry; the ticket is locked by the caller and has none. */
export async function admit(tx: Tx, ticket: TicketFacts, write: EntryWrite, status: 'admitted' | 'duplicate' | 'refused' = 'admitted') {
  await tx.insert(ticketEntries).values({
    ticketId: ticket.id,
    scheduleId: ticket.scheduleId,
    serial: ticket.serial,
    gate: write.gate,
    operatorId: write.operatorId,
    operatorName: write.operatorName,
    source: write.source,
    deviceId: write.deviceId ?? null,
    localId: write.localId ?? null,
    scannedAt: write.scannedAt ?? ticket.now,
    status,
  });
}

/** `ticket.checkIn`: the first good scan lets the ticket in; every later one says when and where. */
export async function checkIn(db: Db, secret: string, input: CheckInInput, by: Attribution, again = false): Promise<DoorAnswer> {
  const scanned = scannedTicket(secret, input);
  try {
    return await db.transaction(async (tx) => {
      const answer = await checkInWithin(tx, scanned, input, by);
      await recordAudit(tx, by, {
        action: 'ticket.checkIn',
        concertId: null,
        target: answer.ticket?.reference ?? ('reference' in input ? input.reference : 'QR'),
        after: { outcome: answer.outcome, gate: input.gate, ...(answer.outcome === 'refused' ? { reason: answer.reason } : {}) },
      });
      return answer;
    });
  } catch (error) {
    // Only if the lock did not serialise two gates (it does): the unique index had the last word.
    if (!again && pgCode(error) === PG.UNIQUE_VIOLATION) return checkIn(db, secret, input, by, true);
    throw error;
  }
}

async function checkInWithin(tx: Tx, scanned: ReturnType<typeof scannedTicket>, input: CheckInInput, by: Attribution): Promise<DoorAnswer> {
  if ('refusal' in scanned) return { outcome: 'refused', reason: scanned.refusal!, ticket: null };
  const [ticket] = await readTickets(tx, sql`t.reference = ${scanned.reference}`, { lock: true });
  if (!ticket || ('seatId' in scanned && (scanned.seatId !== ticket.seatId || scanned.scheduleId !== ticket.scheduleId))) {
    return { outcome: 'refused', reason: 'UNKNOWN', ticket: null };
  }
  const refusal = doorRefusal(ticket, { scheduleId: input.scheduleId, serial: 'serial' in scanned ? scanned.serial : undefined });
  if (refusal) return { outcome: 'refused', reason: refusal, ticket: doorTicketOf(ticket) };
  if (ticket.entry) return { outcome: 'already_used', ticket: doorTicketOf(ticket) };
  await admit(tx, ticket, { gate: input.gate, operatorId: by.actor.id, operatorName: by.actor.name, source: 'online' });
  const entry = { at: ticket.now, gate: input.gate, operatorName: by.actor.name, source: 'online' as const };
  return { outcome: 'admitted', ticket: doorTicketOf({ ...ticket, entry, state: 'used' }) };
}

/** `ticket.lookup`: a date's tickets by booking code or ticket reference, for checking the holder's name. */
export async function lookupTickets(db: DbOrTx, { scheduleId, code }: { scheduleId: number; code: string }) {
  const reference = normalizeTicketReference(code);
  const bookingCode = reference ? null : normalizeBookingCode(code);
  if (!reference && !bookingCode) return { tickets: [] };
  const where = reference ? sql`t.reference = ${reference}` : sql`o.booking_code = ${bookingCode}`;
  const rows = await readTickets(db, sql`${where} AND t.schedule_id = ${scheduleId}`);
  return { tickets: rows.map(doorTicketOf) };
}

/** `ticket.undoEntry` (managers): a mistaken scan no longer counts; the entry stays, marked, on the record. */
export async function undoEntry(
  db: Db,
  { reference, reason }: { reference: string; reason: string },
  by: Attribution,
): Promise<DoorTicket> {
  return db.transaction(async (tx) => {
    const [ticket] = await readTickets(tx, sql`t.reference = ${reference}`, { lock: true });
    if (!ticket?.entry) throw new DomainError('NOT_FOUND', 'This ticket has no entry to undo.');
    await tx
      .update(ticketEntries)
      .set({ status: 'undone', undoneBy: by.actor.id, undoReason: reason })
      .where(and(eq(ticketEntries.ticketId, ticket.id), eq(ticketEntries.status, 'admitted')));
    await recordAudit(tx, by, {
      action: 'ticket.undoEntry',
      concertId: ticket.concertId,
      target: reference,
      before: { gate: ticket.entry.gate, at: ticket.entry.at.toISOString(), operator: ticket.entry.operatorName },
      after: { reason },
    });
    return doorTicketOf({ ...ticket, entry: null, state: 'valid' });
  });
}

/** `ticket.doorCount`: let in so far, of the date's live tickets. */
export async function doorCount(db: DbOrTx, { scheduleId }: { scheduleId: number }) {
  const [row] = (await db.execute(sql`
    SELECT (SELECT count(*) FROM ticket_entries WHERE schedule_id = ${scheduleId} AND status = 'admitted')::int AS admitted,
      (SELECT count(*) FROM tickets WHERE schedule_id = ${scheduleId} AND status = 'live')::int AS tickets
  `)) as unknown as { admitted: number; tickets: number }[];
  return row!;
}

/** How long after its start a date is still offered at the door. */
const DOOR_DATES_SINCE_HOURS = 12;
const DOOR_DATES_MAX = 50;

/** `ticket.doorDates`: the dates a door may be working, soonest first. */
export async function doorDates(db: DbOrTx) {
  const rows = (await db.execute(sql`
    SELECT sc.id AS schedule_id, c.title AS concert_title, c.venue, sc.starts_at,
      (SELECT count(*) FROM tickets t WHERE t.schedule_id = sc.id AND t.status = 'live')::int AS tickets,
      (SELECT count(*) FROM ticket_entries e WHERE e.schedule_id = sc.id AND e.status = 'admitted')::int AS admitted
    FROM schedules sc JOIN concerts c ON c.id = sc.concert_id
    WHERE sc.starts_at > now() - make_interval(hours => ${DOOR_DATES_SINCE_HOURS})
    ORDER BY sc.starts_at, sc.id LIMIT ${DOOR_DATES_MAX}
  `)) as unknown as { schedule_id: number; concert_title: string; venue: string; starts_at: string; tickets: number; admitted: number }[];
  return rows.map((r) => ({
    scheduleId: r.schedule_id,
    concertTitle: r.concert_title,
    venue: r.venue,
    startsAt: new Date(r.starts_at).toISOString(),
    tickets: r.tickets,
    admitted: r.admitted,
  }));
}
