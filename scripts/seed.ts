/** `npm run db:seed`: adds the demo concerts to DATABASE_URL; running it again adds nothing. */
import { connect } from '@/db/client';
import { seedDemoData } from '@/server/seed';
import { requireDatabaseUrl } from './require-database-url';

const database = connect(requireDatabaseUrl(), { max: 1 });
seedDemoData(database.db)
  .then(({ created }) => console.log(created ? `Seeded ${created} demo concerts.` : 'Demo data already there.'))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => database.close());
