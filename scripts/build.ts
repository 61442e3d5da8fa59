/**
 * `npm run build`: with DATABASE_URL (a Vercel preview, a production server) applies the committed
 * migrations first, so the deployed code never meets an older schema; then `next build`, then the
 * launcher compiled to plain JavaScript (dist/serve.js), which `npm start` runs: production runs no
 * TypeScript compiler. `--compile-only` (what `npm test` runs) skips the migrations.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { build } from 'esbuild';
import { FUNCTIONS_DIR } from '@/db/functions';
import { applyMigrations, MIGRATIONS_DIR } from '@/db/migrate';
import { EnvError, parseEnv } from '@/server/env';

const OUT_DIR = 'dist';
/** Node's oldest supported version (package.json "engines"). */
const NODE_TARGET = 'node20';

/**
 * scripts/serve.ts and what it imports from server/ and db/, in one ES module; packages stay in
 * node_modules. The migrations and the database functions go beside it, where db/migrate.ts and
 * db/functions.ts look for them (next to themselves).
 */
async function compileLauncher() {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: ['scripts/serve.ts'],
    outfile: `${OUT_DIR}/serve.js`,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    sourcemap: true,
    logLevel: 'warning',
  });
  fs.cpSync(MIGRATIONS_DIR, `${OUT_DIR}/migrations`, { recursive: true });
  fs.cpSync(FUNCTIONS_DIR, `${OUT_DIR}/functions`, { recursive: true });
}

async function main() {
  const compileOnly = process.argv.includes('--compile-only');
  const config = parseEnv({
    ...process.env,
    NODE_ENV: 'production',
    // Only the build's own check: the server reads the real ones when it starts.
    SESSION_SECRET: process.env.SESSION_SECRET ?? 'x'.repeat(32),
    OPERATOR_PASSWORD: process.env.OPERATOR_PASSWORD ?? 'x'.repeat(12),
    SMTP_URL: process.env.SMTP_URL || (process.env.MAIL_OUTBOX === 'true' ? undefined : 'smtp://127.0.0.1:1'),
    MAIL_FROM: process.env.MAIL_FROM || 'build@localhost',
  });
  if (config.DATABASE_URL && !compileOnly) {
    console.log('Applying migrations …');
    await applyMigrations(config.DATABASE_URL);
  }
  execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: 'inherit',
    env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env },
  });
  await compileLauncher();
  console.log(`Compiled the launcher to ${OUT_DIR}/serve.js.`);
}

main().catch((error) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
