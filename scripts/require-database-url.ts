import { EnvError, parseEnv } from '@/server/env';

export function requireDatabaseUrl(): string {
  try {
    const { DATABASE_URL } = parseEnv();
    if (DATABASE_URL) return DATABASE_URL;
    console.error('DATABASE_URL is not set: point it at the PostgreSQL server to use.');
  } catch (error) {
    console.error(error instanceof EnvError ? error.message : error);
  }
  process.exit(1);
}
