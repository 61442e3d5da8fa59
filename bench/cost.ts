import fs from 'node:fs';
import postgres from 'postgres';
import type { Cluster } from './servers';
import { processTree } from './servers';

/**
 * What one call costs, split between the app and the database: CPU seconds of the app's processes
 * and of PostgreSQL's (from /proc), and the database's statements (top-level ones, and those run
 * inside its functions), transactions and WAL flushes. Read before and after a measured window.
 */
export interface Cost {
  appCpu: number;
  dbCpu: number;
  topLevel: number;
  nested: number;
  /** Time the database spent executing top-level statements (ms, lock waits included). */
  execMs: number;
  transactions: number;
  walSyncs: number | null;
  /** Calls of each top-level statement, by its text's first words. */
  byStatement: Map<string, number>;
  at: number;
}

const TICKS_PER_SECOND = 100;

/** User and system CPU seconds of a process and its descendants. */
export function cpuSecondsOf(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** The postmaster of the cluster: the `postgres` process listening on its port. */
export function postmasterOf(cluster: Cluster): number | undefined {
  const port = new URL(cluster.server.url).port;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('/postgres') && args.includes('-p') && args[args.indexOf('-p') + 1] === port) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

export class CostMeter {
  private readonly admin: postgres.Sql;
  private readonly postmaster: number | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly database: string,
  ) {
    this.admin = postgres(cluster.server.url, { max: 1, onnotice: () => {} });
    this.postmaster = postmasterOf(cluster);
  }

  async read(appPid: number): Promise<Cost> {
    const [xacts] = await this.admin<{ n: string }[]>`
      SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = ${this.database}`;
    const [wal] = await this.admin<{ n: string | null }[]>`SELECT wal_sync::text AS n FROM pg_stat_wal`.catch(() => [{ n: null }]);
    const byStatement = new Map<string, number>();
    let topLevel = 0;
    let nested = 0;
    let execMs = 0;
    if (this.cluster.statements) {
      const rows = await this.admin<{ query: string; toplevel: boolean; calls: string; ms: number }[]>`
        SELECT s.query, s.toplevel, s.calls::text AS calls, s.total_exec_time AS ms
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ${this.database}`;
      for (const row of rows) {
        const calls = Number(row.calls);
        if (!row.toplevel) {
          nested += calls;
          continue;
        }
        topLevel += calls;
        execMs += row.ms;
        const key = row.query.replace(/\s+/g, ' ').slice(0, 60);
        byStatement.set(key, (byStatement.get(key) ?? 0) + calls);
      }
    }
    return {
      appCpu: cpuSecondsOf(appPid),
      dbCpu: this.postmaster === undefined ? 0 : cpuSecondsOf(this.postmaster),
      topLevel,
      nested,
      execMs,
      transactions: Number(xacts?.n ?? 0),
      walSyncs: wal?.n == null ? null : Number(wal.n),
      byStatement,
      at: performance.now(),
    };
  }

  end() {
    return this.admin.end();
  }
}

/** Per call over a window of `calls` calls. */
export function costPerCall(before: Cost, after: Cost, calls: number) {
  const per = (a: number, b: number, digits = 2) => +((a - b) / Math.max(1, calls)).toFixed(digits);
  const statements = [...after.byStatement]
    .map(([query, n]) => ({ query, perCall: per(n, before.byStatement.get(query) ?? 0) }))
    .filter((s) => s.perCall >= 0.05)
    .sort((a, b) => b.perCall - a.perCall);
  return {
    appCpuMs: per((after.appCpu - before.appCpu) * 1000, 0, 3),
    dbCpuMs: per((after.dbCpu - before.dbCpu) * 1000, 0, 3),
    topLevelStatements: per(after.topLevel, before.topLevel),
    nestedStatements: per(after.nested, before.nested),
    dbExecMs: per(after.execMs, before.execMs, 3),
    transactions: per(after.transactions, before.transactions),
    walSyncs: after.walSyncs === null || before.walSyncs === null ? null : per(after.walSyncs, before.walSyncs),
    statements,
  };
}
