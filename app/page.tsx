import { getDatabase } from '../db/client';
import { listConcerts } from '../server/concert/service';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const concerts = await listConcerts(getDatabase().db);
  return (
    <main>
      <h1>Concert Tickets</h1>
      <ul>
        {concerts.map((c) => (
          <li key={c.concertId}>
            {c.title} — {c.artist}, {c.venue} ({c.dates.length} dates)
          </li>
        ))}
      </ul>
    </main>
  );
}
