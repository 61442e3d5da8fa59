import { spawn } from 'node:child_process';
import { freePort } from '@/db/embedded';
import { addRow, type Bench } from '@/bench/context';
import { trpcGet } from '@/bench/http';
import { runLoad } from '@/bench/http-load';
import { startApp } from '@/bench/servers';

/**
 * Context for the HTTP rows: plain Node's http server answering a constant (what this load generator
 * and loopback can do), and `next start` (the Next route handler, as on Vercel) answering a constant
 * and tRPC's health.ping. The framework ceiling the API rows are compared with is tRPC ping via
 * npm start (scenarios/frontline.ts).
 */
export async function runCeilings(bench: Bench): Promise<void> {
  const { o } = bench;
  const ping = async (scenario: string, url: string, path: string) =>
    addRow(
      bench,
      await runLoad({
        scenario,
        url,
        connections: o.connections,
        duration: o.duration,
        warmup: o.warmup,
        task: async (send) => (await send({ method: 'GET', path }), true),
      }),
    );

  const bare = await bareNodeServer();
  try {
    await ping('1. ceiling: bare Node http', bare.url, '/');
  } finally {
    bare.stop();
  }
  const next = await startApp('next', await bench.cluster.database('bench_next'));
  try {
    await ping('1. ceiling: Next route handler, constant', next.url, '/api/ping');
    const row = await ping('1. ceiling: tRPC ping via Next route handler', next.url, trpcGet('health.ping').path);
    bench.ceilings.set('trpc-next', row.rps);
  } finally {
    await next.stop();
  }
}

async function bareNodeServer(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [
    '-e',
    `require('http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"ok":true}'); }).listen(${port}, '127.0.0.1')`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: () => child.kill() };
}
