import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { ticketEntries } from '@/db/schema';
import type { Attribution } from '@/server/audit/actor';
import { recordAudit } from '@/server/audit/record';
import { DomainError, PG, pgCode } from '@/server/errors';
import { admit, scannedTicket } from './door';
import { readTickets } from './read';
import { doorRefusal, type DoorRefusal } from './rules';
import { signText, ticketSigningKey } from './signing';

/**
 * The door offline (docs/tickets-and-door.md "Offline"): a device downloads a date's signed ticket
 * list before doors open, checks QR signatures against the published key, lets people in on its own,
 * and uploads its entries later. The upload records each entry as if scanned then; a ticket another
 * device (or an online gate) had already let in is recorded as a `duplicate` and reported.
 */

export const DOOR_LIST_VERSION = 1;
/**
 * Entries one upload may carry: a device uploads in batches of this many. 100 entries at every field's
 * limit stay under the procedure's 64 KiB body cap.
 */
export const MAX_UPLOAD_ENTRIES = 100;

/** `ticket.doorList`: the date's tickets as a door device needs them, signed with the tickets' key. */
export async function doorList(db: DbOrTx, secret: string, { scheduleId }: { scheduleId: number }) {
  const rows = await readTickets(db, sql`t.schedule_id = ${scheduleId}`);
  const [date] = (await db.execute(sql`
    SELECT c.title, sc.starts_at, clock_timestamp() AS now FROM schedules sc JOIN concerts c ON c.id = sc.concert_id WHERE sc.id = ${scheduleId}
  `)) as unknown as { title: string; starts_at: string; now: string }[];
  if (!date) throw new DomainError('NOT_FOUND', 'There is no such date.');
  const payload = JSON.stringify({
    version: DOOR_LIST_VERSION,
    scheduleId,
    concertTitle: date.title,
    startsAt: new Date(date.starts_at).toISOString(),
    generatedAt: new Date(date.now).toISOString(),
    tickets: rows.map((t) => ({
      reference: t.reference,
      serial: t.serial,
      seatId: t.seatId,
      seat: t.seat,
      holderName: t.holderName,
      state: t.state,
      entry: t.entry && { at: t.entry.at.toISOString(), gate: t.entry.gate },
    })),
  });
  const key = ticketSigningKey(secret);
  return { payload, signature: signText(key, payload), keyId: key.keyId };
}

export interface UploadedEntry {
  localId: string;
  scheduleId: number;
  gate: string;
  scannedAt: Date;
  qr?: string;
  reference?: string;
}

export type UploadResult =
  | { localId: string; outcome: 'recorded' | 'already_recorded' }
  | {
      localId: string;
      outcome: 'double_entry';
      firstEntry: { at: string; gate: string; operatorName: string; source: 'online' | 'offline' };
    }
  | { localId: string; outcome: 'refused'; reason: DoorRefusal | 'LOCAL_ID_REUSED' };

/** `ticket.uploadEntries`: each entry in its own transaction (one ticket locked at a time). */
export async function uploadEntries(
  db: Db,
  secret: string,
  { deviceId, entries }: { deviceId: string; entries: UploadedEntry[] },
  by: Attribution,
): Promise<{ results: UploadResult[] }> {
  const results: UploadResult[] = [];
  for (const entry of entries) results.push(await uploadOne(db, secret, deviceId, entry, by));
  const doubles = results.filter((r) => r.outcome === 'double_entry').length;
  await recordAudit(db, by, {
    action: 'ticket.uploadEntries',
    concertId: null,
    target: deviceId,
    after: { entries: entries.length, recorded: results.filter((r) => r.outcome === 'recorded').length, doubleEntries: doubles },
  });
  return { results };
}

async function uploadOne(
  db: Db,
  secret: string,
  deviceId: string,
  entry: UploadedEntry,
  by: Attribution,
  again = false,
): Promise<UploadResult> {
  try {
    return await recordOne(db, secret, deviceId, entry, by);
  } catch (error) {
    // Another upload of the same entry, or of the same ticket, committed between our read and insert.
    if (!again && pgCode(error) === PG.UNIQUE_VIOLATION) return uploadOne(db, secret, deviceId, entry, by, true);
    throw error;
  }
}

async function recordOne(db: Db, secret: string, deviceId: string, entry: UploadedEntry, by: Attribution): Promise<UploadResult> {
  const { localId } = entry;
  const scanned = scannedTicket(secret, entry.qr !== undefined ? { qr: entry.qr } : { reference: entry.reference ?? '' });
  if ('refusal' in scanned) return { localId, outcome: 'refused', reason: scanned.refusal! };
  return db.transaction(async (tx): Promise<UploadResult> => {
    const [ticket] = await readTickets(tx, sql`t.reference = ${scanned.reference}`, { lock: true });
    if (!ticket) return { localId, outcome: 'refused', reason: 'UNKNOWN' };
    const [known] = await tx
      .select({ ticketId: ticketEntries.ticketId })
      .from(ticketEntries)
      .where(and(eq(ticketEntries.deviceId, deviceId), eq(ticketEntries.localId, localId)));
    // The same entry again is answered as before; the id of another ticket's entry records nothing.
    if (known)
      return known.ticketId === ticket.id
        ? { localId, outcome: 'already_recorded' }
        : { localId, outcome: 'refused', reason: 'LOCAL_ID_REUSED' };
    const write = {
      gate: entry.gate,
      operatorId: by.actor.id,
      operatorName: by.actor.name,
      source: 'offline' as const,
      deviceId,
      localId,
      scannedAt: entry.scannedAt,
    };
    const firstEntry = ticket.entry && { ...ticket.entry, at: ticket.entry.at.toISOString() };
    // The person is already inside: the entry is recorded whatever the ticket's state now, and reported.
    const refusal = doorRefusal(ticket, { scheduleId: entry.scheduleId, serial: 'serial' in scanned ? scanned.serial : undefined });
    if (firstEntry) {
      await admit(tx, ticket, write, 'duplicate');
      return { localId, outcome: 'double_entry', firstEntry };
    }
    if (refusal) {
      await admit(tx, ticket, write, 'refused');
      return { localId, outcome: 'refused', reason: refusal };
    }
    await admit(tx, ticket, write);
    return { localId, outcome: 'recorded' };
  });
}
