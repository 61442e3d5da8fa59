/**
 * `npx tsx bench/join-statement-ab.ts`: the join statement of `queue.issue` before and after the line's
 * place sequence (issue 21 §1), at the database alone (pgbench, prepared statements), alternating three
 * rounds of each at 10 clients (the app's pool) and at 50, on one fresh embedded PostgreSQL: a ratio a
 * busy machine cannot skew much, unlike two HTTP runs minutes apart. Each transaction pair is a new
 * user (as `session.start` makes one) and that user's join. "before" takes `sales.last_place + 1`, the
 * counter migration 0016 dropped (added back to this scratch database for it); "after" takes
 * `take_line_place`, as server/queue/issue.ts does. Results in docs/performance.md.
 */
import postgres from 'postgres';
import { pgbench } from './pgbench';
import { startCluster } from './servers';

const ROUNDS = 3;
const SECONDS = 5;

const cluster = await startCluster();
try {
  const url = await cluster.database('join_statement_ab');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [concert] = await sql<{ id: number }[]>`INSERT INTO concerts (title, artist, venue) VALUES ('AB', 'A', 'V') RETURNING id`;
  const concertId = concert!.id;
  await sql`
    INSERT INTO sales (concert_id, prequeue_opens_at, opens_at, opened_at, drawn_count, max_active, turn_seconds, seed, commitment)
    VALUES (${concertId}, now() - interval '2 hours', now() - interval '1 hour', now(), 0, 100, 600, 's', repeat('0', 64))`;
  await sql`INSERT INTO queue_state (concert_id) VALUES (${concertId})`;
  await sql`ALTER TABLE sales ADD COLUMN last_place bigint NOT NULL DEFAULT 0`;
  await sql.end();
  const newUser = `INSERT INTO users (name) VALUES ('joiner') RETURNING id AS uid \\gset\n`;
  const scripts = {
    before: `${newUser}WITH taken AS (
  UPDATE sales SET last_place = last_place + 1
  WHERE concert_id = ${concertId} AND opened_at IS NOT NULL AND closed_reason IS NULL RETURNING last_place)
INSERT INTO queue_tokens (token, user_id, concert_id, place, challenge_nonce, address_prefix)
SELECT md5(random()::text), :uid::uuid, ${concertId}, taken.last_place, NULL, NULL FROM taken RETURNING id;\n`,
    after: `${newUser}INSERT INTO queue_tokens (token, user_id, concert_id, place, challenge_nonce, address_prefix)
SELECT md5(random()::text), :uid::uuid, ${concertId}, take_line_place(${concertId}), NULL, NULL FROM sales
WHERE concert_id = ${concertId} AND opened_at IS NOT NULL AND closed_reason IS NULL RETURNING id;\n`,
  };
  for (const clients of [10, 50]) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const which of ['before', 'after'] as const) {
        const row = await pgbench({ scenario: which, url, script: scripts[which], clients, duration: SECONDS, warmup: 1 });
        console.log(`${clients} clients, round ${round}, ${which}: ${row.rps} joins/s (${row.note})`);
      }
    }
  }
} finally {
  await cluster.stop();
}
