import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { withDatabase } from '@/db/embedded';
import { MIGRATIONS_DIR } from '@/db/migrate';
import { checkInvariants } from './invariants';

/** The migrations folder as it was before `tag` (a copy with a shorter journal). */
function migrationsBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === tag),
  );
  fs.writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

const name = `m_${randomBytes(6).toString('hex')}`;
const admin = postgres(inject('testServerUrl'), { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const sql = postgres(withDatabase(inject('testServerUrl'), name), { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('the orders migration (0004)', () => {
  it('gives every existing reservation an order of its own, and every payment its order', async () => {
    await migrate(drizzle(sql), { migrationsFolder: migrationsBefore('0004_orders') });
    const [user] = await sql<{ id: string }[]>`INSERT INTO users (name) VALUES ('Mina') RETURNING id`;
    await sql`INSERT INTO wallets (user_id, balance) VALUES (${user!.id}, 35000)`;
    await sql`INSERT INTO ledger_entries (user_id, kind, amount, balance_after) VALUES (${user!.id}, 'charge', 200000, 200000)`;
    const [concert] = await sql<{ id: number }[]>`INSERT INTO concerts (title, artist, venue) VALUES ('T', 'A', 'V') RETURNING id`;
    const [date] = await sql<{ id: number }[]>`
      INSERT INTO schedules (concert_id, starts_at) VALUES (${concert!.id}, now() + interval '30 days') RETURNING id`;
    const seats = await sql<{ id: number }[]>`
      INSERT INTO seats (schedule_id, section, row, number, price)
      SELECT ${date!.id}, 'R', 'A', g, 165000 FROM generate_series(1, 3) g RETURNING id`;
    const held = await sql<{ id: string }[]>`
      INSERT INTO reservations (user_id, seat_id, schedule_id, price, status, held_until)
      VALUES (${user!.id}, ${seats[0]!.id}, ${date!.id}, 165000, 'held', now() + interval '5 minutes'),
             (${user!.id}, ${seats[1]!.id}, ${date!.id}, 165000, 'expired', now() - interval '5 minutes'),
             (${user!.id}, ${seats[2]!.id}, ${date!.id}, 165000, 'confirmed', now() - interval '1 minute')
      RETURNING id`;
    const [payment] = await sql<{ id: string }[]>`
      INSERT INTO payments (reservation_id, user_id, amount) VALUES (${held[2]!.id}, ${user!.id}, 165000) RETURNING id`;
    await sql`
      INSERT INTO ledger_entries (user_id, kind, amount, balance_after, payment_id)
      VALUES (${user!.id}, 'payment', -165000, 35000, ${payment!.id})`;

    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_DIR });

    const orders = await sql<{ id: string; status: string; booking_code: string | null; total: number; reservation: string }[]>`
      SELECT o.id, o.status, o.booking_code, o.total, r.id AS reservation
      FROM orders o JOIN reservations r ON r.order_id = o.id ORDER BY o.id`;
    expect(orders.map((o) => [o.reservation, o.status, o.total])).toEqual([
      [held[0]!.id, 'held', 165000],
      [held[1]!.id, 'expired', 165000],
      [held[2]!.id, 'confirmed', 165000],
    ]);
    expect(orders[2]!.booking_code).toMatch(/^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$/);
    expect(orders.slice(0, 2).map((o) => o.booking_code)).toEqual([null, null]);
    const [paid] = await sql<{ order_id: string }[]>`SELECT order_id FROM payments WHERE id = ${payment!.id}`;
    expect(paid!.order_id).toBe(held[2]!.id);
    // New orders continue after the backfilled ids.
    const [next] = await sql<{ id: string }[]>`
      INSERT INTO orders (user_id, schedule_id, total, held_until) VALUES (${user!.id}, ${date!.id}, 1, now()) RETURNING id`;
    expect(Number(next!.id)).toBeGreaterThan(Number(held[2]!.id));
    await sql`DELETE FROM orders WHERE id = ${next!.id}`;
    const breaches = (await checkInvariants(sql, 100)).filter((r) => r.breaches.length > 0);
    expect(breaches).toEqual([]);
  });
});

describe('the line places migration (0016)', () => {
  it('gives every existing sale its place sequence, continuing after its last place', async () => {
    const fresh = `m_${randomBytes(6).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${fresh}`);
    const db = postgres(withDatabase(inject('testServerUrl'), fresh), { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(db), { migrationsFolder: migrationsBefore('0016_line_places') });
      const concerts = await db<{ id: number }[]>`
        INSERT INTO concerts (title, artist, venue) SELECT 'T' || g, 'A', 'V' FROM generate_series(1, 2) g RETURNING id`;
      const [joined, unopened] = concerts.map((c) => c.id);
      await db`
        INSERT INTO sales (concert_id, prequeue_opens_at, opens_at, opened_at, drawn_count, last_place, max_active, turn_seconds, seed, commitment)
        VALUES (${joined!}, now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour', 5, 42, 10, 600, 's', repeat('0', 64)),
               (${unopened!}, now() + interval '1 hour', now() + interval '2 hours', NULL, NULL, 0, 10, 600, 's', repeat('0', 64))`;

      await migrate(drizzle(db), { migrationsFolder: MIGRATIONS_DIR });

      const next = async (concertId: number) =>
        Number((await db<{ n: string }[]>`SELECT nextval(${`line_places_${concertId}`}::regclass) AS n`)[0]!.n);
      expect(await next(joined!)).toBe(43);
      expect(await next(unopened!)).toBe(1);
      const columns = await db`SELECT 1 FROM information_schema.columns WHERE table_name = 'sales' AND column_name = 'last_place'`;
      expect(columns).toHaveLength(0);
    } finally {
      await db.end();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`);
    }
  });
});
