import postgres from 'postgres';

/**
 * Kills every other client connection to the database at `url` (pg_terminate_backend) about every
 * `everyMs` (the pace of the fault, not a wait for anything), until stopped, sparing connections whose
 * application_name is `spare`. The pace is jittered (half to one and a half times `everyMs`): with a
 * fixed period, work that takes longer than the period on a loaded machine would never get through.
 * `kills()` counts the connections killed so far, `rounds()` the passes.
 */
export function connectionKiller(url: string, everyMs: number, options: { spare?: string } = {}) {
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
