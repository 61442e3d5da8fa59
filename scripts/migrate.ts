/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { applyMigrations } from '@/db/migrate';
import { requireDatabaseUrl } from './require-database-url';

applyMigrations(requireDatabaseUrl())
  .then(() => console.log('Migrations applied.'))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
