import { defineConfig, devices } from '@playwright/test';
import { UNSENT_MAIL_ENV } from './server/testing/unsent-mail';

/**
 * Browser tests against the production server that `npm start` runs (see e2e/server.ts; `npm run
 * build` first), each server on its own fresh database. Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium): Playwright's own browser
 * downloads are not used.
 */
const SECRET = 'e2e-session-secret-0123456789abcdef-xyz';
/** The operator console's password on every test server (e2e/admin.spec.ts signs in with it). */
export const OPERATOR_PASSWORD = 'e2e-operator-password';

/** Ports: 3301–3303 and 5501–5503, shifted by E2E_PORT_OFFSET so two checkouts can run their browser tests at once. */
const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
const servers = {
  /** Its mail goes to a mailbox the tests read on `mailPort` (e2e/mail-catcher.ts). */
  main: { port: 3301 + OFFSET, dbPort: 5501 + OFFSET, env: {}, mailPort: 3401 + OFFSET },
  /** One slot: the waiting-room test. */
  queue: { port: 3302 + OFFSET, dbPort: 5502 + OFFSET, env: { QUEUE_MAX_ACTIVE: '1' } },
  /** Holds that run out while you watch. */
  expiry: { port: 3303 + OFFSET, dbPort: 5503 + OFFSET, env: { HOLD_TTL_SECONDS: '8' } },
} as const;

export type ServerName = keyof typeof servers;
export const databaseUrlOf = (name: ServerName) => `postgres://postgres:postgres@127.0.0.1:${servers[name].dbPort}/tickets`;
/** Where the browser tests read the main server's mail. */
export const MAILBOX_URL = `http://127.0.0.1:${servers.main.mailPort}`;
/**
 * The main server as `localhost`: passkeys need a domain, not an address (WebAuthn refuses an IP as
 * its relying party), so the passkey tests browse it by this name; it is every server's APP_ORIGIN.
 */
export const localhostOf = (name: ServerName) => `http://localhost:${servers[name].port}`;

const project = (name: ServerName, testMatch: RegExp) => ({
  name,
  testMatch,
  metadata: { databaseUrl: databaseUrlOf(name), serverEnv: servers[name].env as Record<string, string> },
  use: { ...devices['Desktop Chrome'], baseURL: `http://127.0.0.1:${servers[name].port}` },
});

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // No retries, in CI either: a test that passes only when tried again is a flaky test to fix, and a
  // retry would hide it.
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'test-results/e2e-report' }], ['./e2e/summary-reporter.ts']],
  use: {
    locale: 'en-US',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    project(
      'main',
      /(journey|join-challenge|seat-race|wallet|language|security|admin|operators|orders|seat-map|a11y|dev-outbox|accounts|tickets|door)\.spec\.ts/,
    ),
    project('queue', /(waiting-room|waiting-truth|sale-day|sale-day-screens)\.spec\.ts/),
    project('expiry', /hold-expiry\.spec\.ts/),
  ],
  webServer: Object.values(servers).map(({ port, dbPort, env, ...rest }) => ({
    command: 'node --import tsx e2e/server.ts',
    url: `http://127.0.0.1:${port}/`,
    // Every browser of every test calls from 127.0.0.1: a roomier limit than one person needs.
    env: {
      RATE_LIMIT_PER_MINUTE: '600',
      // The operator sign-ins of every test, from the one address and the one built-in owner.
      OPERATOR_SIGN_IN_PER_MINUTE: '200',
      ...env,
      PORT: String(port),
      APP_ORIGIN: `http://localhost:${port}`,
      E2E_DB_PORT: String(dbPort),
      ...('mailPort' in rest && { E2E_MAIL_PORT: String(rest.mailPort) }),
      SESSION_SECRET: SECRET,
      OPERATOR_PASSWORD,
      ...UNSENT_MAIL_ENV,
    },
    reuseExistingServer: false,
    timeout: 120_000,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 10_000 },
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  })),
});
