/**
 * `npm run dev` / `npm start`: validates the configuration, then runs `next dev`, or the production
 * server (server/http/production-server.ts) in WEB_CONCURRENCY worker processes (server/http/workers.ts;
 * one runs in this process). Without DATABASE_URL it first starts an embedded PostgreSQL (migrated and
 * seeded) and stops it on exit, after the workers; with DATABASE_URL it starts nothing.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EmbeddedPostgresError } from '@/db/embedded';
import { EMBEDDED_DATA_DIR, startLocalDatabase } from '@/server/provision';
import { DEV_MAIL_FROM, EnvError, parseEnv } from '@/server/env';
import { OUTBOX_DIR } from '@/server/mail/outbox-file';
import { runPrimary, runWorker } from '@/server/http/workers';

const MODES = ['dev', 'start'] as const;
const mode = MODES.find((m) => m === process.argv[2]);
if (!mode) {
  console.error('usage: serve dev|start (npm run dev, npm start)');
  process.exit(2);
}

/**
 * A local production run (embedded database, no SESSION_SECRET) gets a random secret kept under
 * .data/, so sessions survive restarts. A deployment (DATABASE_URL set) must set its own.
 */
function localSecret(name: 'session-secret' | 'operator-password', bytes: number): string {
  const file = path.join(path.dirname(EMBEDDED_DATA_DIR), name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(bytes).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
const localSessionSecret = () => localSecret('session-secret', 32);
/** Likewise the operator console's password (.data/operator-password), printed at start. */
const localOperatorPassword = () => localSecret('operator-password', 12);

async function main(mode: (typeof MODES)[number]) {
  // A worker of `npm start` (forked by the primary below): its environment is complete already.
  if (cluster.isWorker) return runWorker(parseEnv(process.env).PORT);
  const nodeEnv = process.env.NODE_ENV ?? (mode === 'dev' ? 'development' : 'production');
  if (!process.env.DATABASE_URL && !process.env.SESSION_SECRET && nodeEnv === 'production') {
    process.env.SESSION_SECRET = localSessionSecret();
  }
  const operatorPasswordGiven = Boolean(process.env.OPERATOR_PASSWORD);
  if (!process.env.DATABASE_URL && !operatorPasswordGiven && nodeEnv === 'production') {
    process.env.OPERATOR_PASSWORD = localOperatorPassword();
  }
  // Mail, likewise: a local production run writes it to the outbox (.data/outbox) unless SMTP_URL says where to send it.
  if (!process.env.DATABASE_URL && !process.env.SMTP_URL && nodeEnv === 'production') {
    process.env.MAIL_OUTBOX = 'true';
    process.env.MAIL_FROM ||= DEV_MAIL_FROM;
    console.log(`Mail: written to ${OUTBOX_DIR}/, not sent (set SMTP_URL to send it)`);
  }
  const config = parseEnv({ ...process.env, NODE_ENV: nodeEnv });
  if (!operatorPasswordGiven) {
    console.log(
      `Operator console: http://localhost:${config.PORT}/admin, password "${config.OPERATOR_PASSWORD}" (set OPERATOR_PASSWORD to choose one)`,
    );
  }
  let url: string | undefined = config.DATABASE_URL;
  let stopDatabase = async () => {};
  if (!url) {
    const local = await startLocalDatabase((line) => console.log(line));
    url = local.url;
    stopDatabase = local.server.stop;
  }
  if (mode === 'start') {
    process.env.DATABASE_URL = url;
    Object.assign(process.env, { NODE_ENV: nodeEnv });
    if (config.WEB_CONCURRENCY > 1) {
      // Workers (server/http/workers.ts) inherit this environment: the database, the secrets.
      runPrimary({ workers: config.WEB_CONCURRENCY, port: config.PORT, afterStop: stopDatabase });
      return;
    }
    // One worker: in this process, the custom server (tRPC's Node adapter for the API, Next for the rest).
    const { startProductionServer, stopProductionServer } = await import('@/server/http/production-server');
    const server = await startProductionServer(config.PORT);
    console.log(`Ready on http://localhost:${config.PORT}`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await stopProductionServer(server).catch((e: unknown) => console.error(e));
      await stopDatabase().catch(() => {});
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    return;
  }

  const next = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'dev', '--port', String(config.PORT)], {
    stdio: 'inherit',
    env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env, DATABASE_URL: url },
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    next.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  next.on('exit', (code) => {
    void stopDatabase()
      .catch(() => {})
      .then(() => process.exit(code ?? 0));
  });
}

main(mode).catch((error) => {
  // Problems the user can fix are one sentence; anything else keeps its stack.
  console.error(error instanceof EnvError || error instanceof EmbeddedPostgresError ? error.message : error);
  process.exit(1);
});
