import { pbkdf2Sync } from 'node:crypto';
import postgres from 'postgres';
import { chromium } from 'playwright';
import { createChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { Bench } from '@/bench/context';
import { makeHall } from '@/bench/fixtures';
import { startApp } from '@/bench/servers';
import { JOIN_DIFFICULTY_DEFAULT, JOIN_DIFFICULTY_MAX } from '@/db/limits';
import { JOIN_CHALLENGE_ALGORITHM, JOIN_CHALLENGE_KDF_COST } from '@/server/queue/join-challenge';

/**
 * The join challenge's costs (issue 19, docs/line-cost.md):
 * - a browser's: Chromium opens the waiting room of a sale at each difficulty and the time from the
 *   challenge's answer to the join's request is measured (the solving, in the app's own workers);
 * - the server's: issuing one (one key derivation) and checking a solution (two HMACs), in-process;
 * - a script's: Node's native PBKDF2 per try, and what a thousand places cost at the default and the
 *   highest difficulty (a solver tries half the difficulty on average).
 */

const DIFFICULTIES = [1_000, JOIN_DIFFICULTY_DEFAULT, 16_000, 64_000];
const SERVER_SAMPLES = 200;
const PLACES = 1_000;
/** A solver derives counters up to the drawn one, drawn evenly from 1 to the difficulty. */
const MEAN_TRIES_PER_DIFFICULTY = 0.5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function serverCosts() {
  const secrets = { hmacSignatureSecret: 'bench-signature', hmacKeySignatureSecret: 'bench-key' };
  const issueMs: number[] = [];
  const verifyMs: number[] = [];
  for (let i = 0; i < SERVER_SAMPLES; i++) {
    const counter = Math.ceil(JOIN_DIFFICULTY_DEFAULT / 2);
    let start = performance.now();
    const challenge = await createChallenge({
      algorithm: JOIN_CHALLENGE_ALGORITHM,
      cost: JOIN_CHALLENGE_KDF_COST,
      counter,
      deriveKey,
      expiresAt: new Date(Date.now() + 60_000),
      data: { concertId: 1, session: 'bench' },
      ...secrets,
    });
    issueMs.push(performance.now() - start);
    // The answer is the key for the drawn counter (what a solver would find), derived here once.
    const { derivedKey } = await deriveKey(
      challenge.parameters,
      Buffer.from(challenge.parameters.salt, 'hex'),
      counterBytes(challenge.parameters.nonce, counter),
    );
    start = performance.now();
    const verdict = await verifySolution({
      challenge,
      solution: { counter, derivedKey: Buffer.from(derivedKey).toString('hex'), time: 0 },
      deriveKey,
      ...secrets,
    });
    verifyMs.push(performance.now() - start);
    if (!verdict.verified) throw new Error('the bench solution did not verify');
  }
  return { issueMs: median(issueMs), verifyMs: median(verifyMs) };
}

/** The password a solver derives for a counter: the nonce's bytes, then the counter as a big-endian uint32 (altcha v2). */
function counterBytes(nonceHex: string, counter: number): Uint8Array {
  const nonce = Buffer.from(nonceHex, 'hex');
  const out = Buffer.alloc(nonce.length + 4);
  nonce.copy(out);
  out.writeUInt32BE(counter, nonce.length);
  return out;
}

function scriptTryMs(): number {
  const tries = 200;
  const start = performance.now();
  for (let i = 0; i < tries; i++) pbkdf2Sync(`try-${i}`, 'salt', JOIN_CHALLENGE_KDF_COST, 32, 'sha256');
  return (performance.now() - start) / tries;
}

async function browserSolveSeconds(bench: Bench, difficulties: number[], runs: number) {
  const url = await bench.cluster.database('bench_challenge');
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const app = await startApp('custom', url, { JOIN_CHALLENGE: 'on' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const results: Record<number, number> = {};
  try {
    for (const difficulty of difficulties) {
      const seconds: number[] = [];
      for (let run = 0; run < runs; run++) {
        const hall = await makeHall(sql, 1, 1);
        await sql`UPDATE sales SET join_difficulty = ${difficulty} WHERE concert_id = ${hall.concertId}`;
        const context = await browser.newContext();
        const page = await context.newPage();
        const asked = page.waitForResponse((r) => r.url().includes('/api/trpc/queue.challenge'), { timeout: 300_000 });
        const issued = page.waitForRequest((r) => r.url().includes('/api/trpc/queue.issue'), { timeout: 300_000 });
        await page.goto(`${app.url}/queue?concert=${hall.concertId}`);
        await asked;
        const from = performance.now();
        await issued;
        seconds.push((performance.now() - from) / 1000);
        await context.close();
      }
      results[difficulty] = median(seconds);
      bench.log(
        `  difficulty ${difficulty.toLocaleString('en-US')}: Chromium solves in ${results[difficulty]!.toFixed(2)} s (median of ${runs})`,
      );
    }
  } finally {
    await browser.close();
    await app.stop();
    await sql.end();
  }
  return results;
}

export async function runChallenge(bench: Bench): Promise<void> {
  const { issueMs, verifyMs } = await serverCosts();
  const tryMs = scriptTryMs();
  const difficulties = bench.o.smoke ? [1_000] : DIFFICULTIES;
  const solve = await browserSolveSeconds(bench, difficulties, bench.o.smoke ? 1 : 3);
  const scriptSeconds = (difficulty: number) => (PLACES * difficulty * MEAN_TRIES_PER_DIFFICULTY * tryMs) / 1000;
  bench.facts.joinChallenge = {
    algorithm: `${JOIN_CHALLENGE_ALGORITHM}, ${JOIN_CHALLENGE_KDF_COST} iterations a try`,
    chromiumSolveSeconds: Object.fromEntries(Object.entries(solve).map(([d, s]) => [d, Number(s.toFixed(2))])),
    serverIssueMs: Number(issueMs.toFixed(3)),
    serverVerifyMs: Number(verifyMs.toFixed(3)),
    serverIssuesPerCoreSecond: Math.round(1000 / issueMs),
    scriptTryMs: Number(tryMs.toFixed(3)),
    thousandPlacesCpuSecondsAtDefault: Math.round(scriptSeconds(JOIN_DIFFICULTY_DEFAULT)),
    thousandPlacesCpuSecondsAtMax: Math.round(scriptSeconds(JOIN_DIFFICULTY_MAX)),
  };
  bench.targets.push({
    target: `a fan solves the default challenge (${JOIN_DIFFICULTY_DEFAULT.toLocaleString('en-US')}) in about a second`,
    measured:
      solve[JOIN_DIFFICULTY_DEFAULT] === undefined ? 'not measured (smoke)' : `${solve[JOIN_DIFFICULTY_DEFAULT]!.toFixed(2)} s in Chromium`,
    met: solve[JOIN_DIFFICULTY_DEFAULT] === undefined ? null : solve[JOIN_DIFFICULTY_DEFAULT]! <= 2,
  });
}
