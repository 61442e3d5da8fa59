import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { seatLabel } from '@/server/concert/service';
import { ticketState, type TicketState } from './rules';

/** A ticket with what the fan's pages and the door show of it: one query, however it is looked up. */
export interface TicketFacts {
  id: number;
  reference: string;
  orderId: number;
  reservationId: number;
  buyerId: string;
  bookingCode: string;
  holderId: string;
  holderName: string;
  serial: number;
  status: 'live' | 'refunded';
  scheduleId: number;
  concertId: number;
  concertTitle: string;
  venue: string;
  startsAt: Date;
  seatId: number;
  seat: string;
  price: number;
  offer: { toEmail: string; expiresAt: Date } | null;
  entry: { at: Date; gate: string; operatorName: string; source: 'online' | 'offline' } | null;
  now: Date;
  state: TicketState;
}

interface Row {
  id: string;
  reference: string;
  order_id: string;
  reservation_id: string;
  buyer_id: string;
  booking_code: string;
  holder_id: string;
  holder_name: string;
  serial: number;
  status: 'live' | 'refunded';
  schedule_id: number;
  concert_id: number;
  concert_title: string;
  venue: string;
  starts_at: string;
  seat_id: number;
  section: string;
  row: string;
  number: number;
  price: number;
  offer_email: string | null;
  offer_expires_at: string | null;
  entry_at: string | null;
  entry_gate: string | null;
  entry_operator: string | null;
  entry_source: 'online' | 'offline' | null;
  now: string;
}

/**
 * Tickets matching `where` (over `t` tickets, `o` orders, `r` reservations), in order then seat
 * order. `lock` first locks the tickets rows (FOR UPDATE OF t, ascending ids), in the documented
 * order: after orders and reservations, before ticket_transfers and ticket_entries.
 */
export async function readTickets(db: DbOrTx, where: SQL, { lock = false }: { lock?: boolean } = {}): Promise<TicketFacts[]> {
  if (lock) {
    // Lock first, then read in a statement of its own: a statement that waited for a row lock sees
    // the locked row as committed, but its joins (entries, offers, holder) as they were before it
    // waited. Read again, it sees the check-in or transfer it waited for.
    await db.execute(sql`
      SELECT t.id FROM tickets t JOIN orders o ON o.id = t.order_id JOIN reservations r ON r.id = t.reservation_id
      WHERE ${where} ORDER BY t.id FOR UPDATE OF t`);
  }
  const rows = (await db.execute(sql`
    SELECT t.id, t.reference, t.order_id, t.reservation_id, o.user_id AS buyer_id, o.booking_code, t.holder_id, u.name AS holder_name,
      t.serial, t.status, t.schedule_id, sc.concert_id, c.title AS concert_title, c.venue, sc.starts_at,
      t.seat_id, s.section, s.row, s.number, r.price,
      tr.to_email AS offer_email, tr.expires_at AS offer_expires_at,
      e.scanned_at AS entry_at, e.gate AS entry_gate, e.operator_name AS entry_operator, e.source AS entry_source,
      clock_timestamp() AS now
    FROM tickets t
      JOIN orders o ON o.id = t.order_id
      JOIN reservations r ON r.id = t.reservation_id
      JOIN users u ON u.id = t.holder_id
      JOIN seats s ON s.id = t.seat_id
      JOIN schedules sc ON sc.id = t.schedule_id
      JOIN concerts c ON c.id = sc.concert_id
      LEFT JOIN ticket_transfers tr ON tr.ticket_id = t.id AND tr.status = 'offered'
      LEFT JOIN ticket_entries e ON e.ticket_id = t.id AND e.status = 'admitted'
    WHERE ${where}
    ORDER BY t.order_id DESC, t.seat_id
  `)) as unknown as Row[];
  return rows.map(factsOf);
}

function factsOf(r: Row): TicketFacts {
  const now = new Date(r.now);
  const offer = r.offer_email ? { toEmail: r.offer_email, expiresAt: new Date(r.offer_expires_at!) } : null;
  const entry = r.entry_at
    ? { at: new Date(r.entry_at), gate: r.entry_gate!, operatorName: r.entry_operator!, source: r.entry_source! }
    : null;
  const facts = {
    id: Number(r.id),
    reference: r.reference,
    orderId: Number(r.order_id),
    reservationId: Number(r.reservation_id),
    buyerId: r.buyer_id,
    bookingCode: r.booking_code,
    holderId: r.holder_id,
    holderName: r.holder_name,
    serial: r.serial,
    status: r.status,
    scheduleId: r.schedule_id,
    concertId: r.concert_id,
    concertTitle: r.concert_title,
    venue: r.venue,
    startsAt: new Date(r.starts_at),
    seatId: r.seat_id,
    seat: seatLabel(r),
    price: r.price,
    offer,
    entry,
    now,
  };
  return { ...facts, state: ticketState(facts) };
}
