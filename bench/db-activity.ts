import postgres from 'postgres';
import type { Cluster } from './servers';
import { sleep } from './context';

/**
 * How much a database did: statements (pg_stat_statements calls, counted as they run) and
 * transactions (pg_stat_database xact_commit + xact_rollback; a backend reports these at most about
 * once a second, so a window's count is shifted by up to a second at each end).
 */
export interface Activity {
  statements: number | null;
  transactions: number;
  at: number;
}

export class DatabaseActivity {
  private readonly admin: postgres.Sql;

  constructor(
    private readonly cluster: Cluster,
    private readonly database: string,
  ) {
    this.admin = postgres(cluster.server.url, { max: 1, onnotice: () => {} });
  }

  async read(): Promise<Activity> {
    const [xacts] = await this.admin<{ n: string }[]>`
      SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = ${this.database}`;
    let statements: number | null = null;
    if (this.cluster.statements) {
      const [row] = await this.admin<{ n: string | null }[]>`
        SELECT sum(calls)::text AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = ${this.database}`;
      statements = Number(row?.n ?? 0);
    }
    return { statements, transactions: Number(xacts?.n ?? 0), at: performance.now() };
  }

  /** Statements and transactions a second while nothing loads the server (its own timers, autovacuum). */
  async quietRate(seconds: number): Promise<{ statements: number | null; transactions: number }> {
    const before = await this.read();
    await sleep(seconds * 1000);
    return perSecond(before, await this.read());
  }

  end() {
    return this.admin.end();
  }
}

export function perSecond(before: Activity, after: Activity): { statements: number | null; transactions: number } {
  const seconds = (after.at - before.at) / 1000;
  return {
    statements: before.statements === null || after.statements === null ? null : (after.statements - before.statements) / seconds,
    transactions: (after.transactions - before.transactions) / seconds,
  };
}

/** Per call, over a window of `calls` calls, after taking away the quiet rate. */
export function perCall(
  before: Activity,
  after: Activity,
  calls: number,
  quiet: { statements: number | null; transactions: number },
): { statements: number | null; transactions: number } {
  const seconds = (after.at - before.at) / 1000;
  const net = (delta: number, rate: number) => Math.max(0, delta - rate * seconds) / Math.max(1, calls);
  return {
    statements:
      before.statements === null || after.statements === null || quiet.statements === null
        ? null
        : +net(after.statements - before.statements, quiet.statements).toFixed(3),
    transactions: +net(after.transactions - before.transactions, quiet.transactions).toFixed(3),
  };
}
