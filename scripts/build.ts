/**
 * `npm run build`: with DATABASE_URL (a Vercel preview, a production server) applies the committed
 * migrations first, so the deployed code never meets an older schema; then `next build`.
 */
import { execFileSync } from 'node:child_process';
import { applyMigrations } from '../db/migrate';
import { EnvError, parseEnv } from '../server/env';

async function main() {
  const config = parseEnv({
    ...process.env,
    NODE_ENV: 'production',
    // Only the build's own check: the server reads the real ones when it starts.
    SESSION_SECRET: process.env.SESSION_SECRET ?? 'x'.repeat(32),
    OPERATOR_PASSWORD: process.env.OPERATOR_PASSWORD ?? 'x'.repeat(12),
  });
  if (config.DATABASE_URL) {
    console.log('Applying migrations …');
    await applyMigrations(config.DATABASE_URL);
  }
  execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    stdio: 'inherit',
    env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env },
  });
}

main().catch((error) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
