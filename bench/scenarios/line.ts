import postgres from 'postgres';
import { addRow, DEFAULT_MAX_ACTIVE, type Bench } from '@/bench/context';
import { fillLine, giveTokens, makeHall, makeUsers } from '@/bench/fixtures';
import { CookieJar, trpcGet, trpcPost } from '@/bench/http';
import { cycle, once, runLoad } from '@/bench/http-load';
import { startApp } from '@/bench/servers';

/**
 * Scenario 7, line length: the latency of a waiting fan's status and of joining (queue.issue) at the
 * back of a line of 1,000 and of 1,000,000 (p50s compared; the target is ≤ 1.5x). Few connections: a
 * latency measurement, not a throughput one.
 */

const PROBES = 300;
const LATENCY_CONNECTIONS = 10;
/** Joiners: enough new fans for this rate of queue.issue over the warm-up and the measured time. */
const ISSUE_MAX_RPS = 1_500;
const LINE_RATIO_TARGET = 1.5;
/** The first line size also warms a server that has just started (its JIT, its pool), so sizes compare like with like. */
const FIRST_SIZE_EXTRA_WARMUP_SECONDS = 3;

export async function runLine(bench: Bench): Promise<void> {
  const { o } = bench;
  const url = await bench.cluster.database('bench_line');
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const app = await startApp('custom', url);
  const seconds = Math.max(2, Math.round(o.duration / 2));
  try {
    const line = await makeHall(sql, 1, 1);
    await giveTokens(sql, await makeUsers(sql, DEFAULT_MAX_ACTIVE), 'active', line.concertId);
    const p50s: Record<number, { status: number; issue: number }> = {};
    for (const size of o.lineSizes) {
      const warmup = o.warmup + (size === o.lineSizes[0] ? FIRST_SIZE_EXTRA_WARMUP_SECONDS : 0);
      bench.log(`  filling the line to ${size.toLocaleString('en-US')} …`);
      const [{ waiting } = { waiting: 0 }] = await sql<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM queue_tokens WHERE concert_id = ${line.concertId} AND status = 'waiting'`;
      await fillLine(sql, Math.max(0, size - waiting - PROBES), line.concertId);
      const probes = await makeUsers(sql, PROBES);
      await giveTokens(sql, probes, 'waiting', line.concertId); // at the back of the line
      const joiners = await makeUsers(sql, ISSUE_MAX_RPS * (warmup + seconds));
      // Let the fill settle (no autovacuum or checkpoint running under the measurement).
      await sql`VACUUM (ANALYZE) queue_tokens, users`;
      await sql`CHECKPOINT`;
      const jars = probes.map((p) => new CookieJar(p.cookie));
      const next = cycle(jars);
      const status = addRow(
        bench,
        await runLoad({
          scenario: `7. status, ${size.toLocaleString('en-US')} in line`,
          url: app.url,
          connections: LATENCY_CONNECTIONS,
          duration: seconds,
          warmup,
          task: async (send) => {
            const jar = next();
            jar.from(await send(trpcGet('queue.status', { concertId: line.concertId }, jar.header())));
            return true;
          },
        }),
      );
      const nextJoiner = once(joiners);
      const issue = addRow(
        bench,
        await runLoad({
          scenario: `7. issue, ${size.toLocaleString('en-US')} in line`,
          url: app.url,
          connections: LATENCY_CONNECTIONS,
          duration: seconds,
          warmup,
          task: async (send) => {
            const joiner = nextJoiner();
            if (!joiner) return false;
            await send(trpcPost('queue.issue', { concertId: line.concertId }, { cookie: joiner.cookie }));
            return true;
          },
          note: 'a new fan each',
        }),
      );
      p50s[size] = { status: status.p50, issue: issue.p50 };
    }
    const [first, last] = [p50s[o.lineSizes[0]!]!, p50s[o.lineSizes.at(-1)!]!];
    const statusRatio = +(last.status / first.status).toFixed(2);
    const issueRatio = +(last.issue / first.issue).toFixed(2);
    bench.facts.lineLength = { p50s, statusRatio, issueRatio };
    const [small, large] = [o.lineSizes[0]!, o.lineSizes.at(-1)!].map((n) => n.toLocaleString('en-US'));
    bench.targets.push({
      target: `line length stays irrelevant (p50 at ${large} ≤ 1.5x p50 at ${small})`,
      measured: `status ×${statusRatio}, issue ×${issueRatio}`,
      met: statusRatio <= LINE_RATIO_TARGET && issueRatio <= LINE_RATIO_TARGET,
    });
  } finally {
    await sql.end();
    await app.stop();
  }
}
