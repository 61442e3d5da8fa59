import postgres from 'postgres';

/**
 * Kills every other client connection to the database at `url` (pg_terminate_backend) about every
 * `everyMs` (the pace of the fault, not a wait for anything), until stopped, sparing connections whose
 * application_name is `spare`. The pace is jittered (half to one and a half times `everyMs`): with a
 * fixed period, work that takes longer than the period on a loaded machine would never get through.
 * `kills()` counts the connections killed so far, `rounds()` the passes.
 *
 * `ready`, when given, is asked (every few ms) after each pause until it says yes: the next round
 * waits for it. A test passes "every client has had a call answered since the last round", so that
 * however slow the machine, kills land among calls in flight and still no client is starved: without
 * it, a call that takes longer than the pace on a loaded machine is killed at every try.
 */
export function connectionKiller(url: string, everyMs: number, options: { spare?: string; ready?: () => boolean } = {}) {
  const killer = postgres(url, { max: 1, onnotice: () => {} });
  const spare = options.spare ?? '';
  let kills = 0;
  let rounds = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await killer`
        SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          AND application_name <> ${spare}`;
      kills += rows.filter((r) => r.killed).length;
      rounds++;
      await new Promise((r) => setTimeout(r, everyMs * (0.5 + Math.random())));
      while (running && options.ready && !options.ready()) await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    kills: () => kills,
    rounds: () => rounds,
    stop: async () => {
      running = false;
      await loop;
      await killer.end();
      return kills;
    },
  };
}
