import path from 'node:path';
import postgres from 'postgres';
import { connect } from '@/db/client';
import { startEmbeddedPostgres, withDatabase, type EmbeddedServer } from '@/db/embedded';
import { applyMigrations } from '@/db/migrate';
import { seedDemoData } from './seed';

export const EMBEDDED_DATA_DIR = '.data/postgres';
export const APP_DATABASE = 'tickets';

/** Creates a database on the server if it does not exist yet. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** Migrations, then the idempotent demo data. */
export async function migrateAndSeed(url: string): Promise<{ created: number }> {
  await applyMigrations(url);
  const database = connect(url, { max: 1 });
  try {
    return await seedDemoData(database.db);
  } finally {
    await database.close();
  }
}

/** The zero-set-up database: an embedded PostgreSQL under .data/, migrated and seeded. */
export async function startLocalDatabase(log: (line: string) => void): Promise<{ url: string; server: EmbeddedServer }> {
  log('Starting embedded PostgreSQL …');
  const server = await startEmbeddedPostgres({ dir: EMBEDDED_DATA_DIR });
  const inCheckout = !path.relative(process.cwd(), server.dir).startsWith('..');
  log(`Embedded PostgreSQL data in ${inCheckout ? path.relative(process.cwd(), server.dir) : server.dir}.`);
  const url = withDatabase(server.url, APP_DATABASE);
  await ensureDatabase(server.url, APP_DATABASE);
  const { created } = await migrateAndSeed(url);
  log(`Embedded PostgreSQL ready${created ? `, seeded ${created} demo concerts` : ''}.`);
  return { url, server };
}
