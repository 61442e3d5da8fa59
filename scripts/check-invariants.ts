/** `npm run check:invariants`: checks DATABASE_URL's data; prints what it found, exits 1 on a breach. */
import postgres from 'postgres';
import { parseEnv } from '@/server/env';
import { checkInvariants } from '@/server/invariants';
import { requireDatabaseUrl } from './require-database-url';

const sql = postgres(requireDatabaseUrl(), { max: 1, onnotice: () => {} });
checkInvariants(sql, parseEnv().QUEUE_MAX_ACTIVE)
  .then((reports) => {
    for (const r of reports)
      console.log(`${r.breaches.length ? 'BREACH' : 'ok    '}  ${r.name}${r.breaches.length ? `: ${JSON.stringify(r.breaches)}` : ''}`);
    const breached = reports.filter((r) => r.breaches.length).length;
    console.log(breached ? `${breached} invariant(s) breached` : 'All invariants hold.');
    process.exitCode = breached ? 1 : 0;
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 2;
  })
  .finally(() => sql.end());
