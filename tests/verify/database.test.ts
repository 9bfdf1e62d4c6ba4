import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase, databaseKind } from '../../src/verify/database.js';
import { loadDriver, sqlitePath } from '../../src/verify/database-sqlite.js';
import { type TestServer, startTestServer } from '../helpers/http-server.js';
import { type TestPostgres, startPostgres } from '../helpers/postgres.js';

const SECRET = 'hunter2-S3cret%21pass';
const DECODED = 'hunter2-S3cret!pass';

/** A TCP port that accepts connections and never says a word: a hung database. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = await silentServer();
  await server.close();
  return server.port;
}

function expectNoSecret(value: string): void {
  expect(value).not.toContain(SECRET);
  expect(value).not.toContain(DECODED);
  expect(value).not.toContain('hunter2');
}

describe('databaseKind', () => {
  it('recognises the supported targets', () => {
    expect(databaseKind('postgres://u@h/db')).toBe('postgres');
    expect(databaseKind('postgresql://u@h/db')).toBe('postgres');
    expect(databaseKind('sqlite:data/app.db')).toBe('sqlite');
    expect(databaseKind('/var/lib/app.db')).toBe('sqlite');
    expect(databaseKind('health')).toBe('health');
    expect(databaseKind('mysql://root:pw@h/db')).toBe('unsupported');
  });

  it('resolves SQLite paths', () => {
    expect(sqlitePath('sqlite:data/app.db', '/srv/app')).toBe('/srv/app/data/app.db');
    expect(sqlitePath('sqlite:///abs/app.db', '/srv/app')).toBe('/abs/app.db');
    expect(sqlitePath('file:app.db?mode=ro', '/srv/app')).toBe('/srv/app/app.db');
    expect(sqlitePath('/abs/app.db', '/srv/app')).toBe('/abs/app.db');
  });
});

describe('checkDatabase: PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('connects to a real cluster and runs SELECT 1', async () => {
    expect(await checkDatabase(pg.url, { timeoutMs: 10_000 })).toEqual({ name: 'Database', ok: true, value: 'Connected', threshold: 'connected' });
    const url = await pg.createDatabase('verify_app');
    expect((await checkDatabase(url.replace('postgres://', 'postgresql://'), { timeoutMs: 10_000 })).ok).toBe(true);
  });

  it('reports a missing database without the password', async () => {
    const url = `postgres://postgres:${SECRET}@127.0.0.1:${pg.port}/no_such_db`;
    const result = await checkDatabase(url, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ ok: false, value: 'unreachable: database does not exist' });
    expectNoSecret(JSON.stringify(result));
  });

  it('reports a refused connection without the password', async () => {
    const url = `postgres://app:${SECRET}@127.0.0.1:${await closedPort()}/app`;
    const result = await checkDatabase(url, { timeoutMs: 10_000 });
    expect(result).toEqual({ name: 'Database', ok: false, value: 'unreachable: connection refused (ECONNREFUSED)', threshold: 'connected' });
    expectNoSecret(JSON.stringify(result));
  });

  it('gives up on a server that never answers, within the timeout', async () => {
    const silent = await silentServer();
    try {
      const started = performance.now();
      const result = await checkDatabase(`postgres://app:${SECRET}@127.0.0.1:${silent.port}/app`, { timeoutMs: 300 });
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(result.ok).toBe(false);
      expect(result.value).toMatch(/^unreachable: .*(timeout|timed out)/i);
      expectNoSecret(result.value);
    } finally {
      await silent.close();
    }
  });

  it('reports an unknown host and a malformed URL without the password', async () => {
    const unknown = await checkDatabase(`postgres://app:${SECRET}@no-such-host.invalid:5432/app`, { timeoutMs: 3_000 });
    expect(unknown.ok).toBe(false);
    expectNoSecret(unknown.value);
    const malformed = await checkDatabase(`postgres://app:${SECRET}@127.0.0.1:notaport/app`, { timeoutMs: 1_000 });
    expect(malformed.ok).toBe(false);
    expectNoSecret(malformed.value);
  });

  it('refuses schemes it does not support, without echoing credentials', async () => {
    const result = await checkDatabase(`mysql://root:${SECRET}@127.0.0.1/app`, { timeoutMs: 1_000 });
    expect(result.value).toBe('unreachable: unsupported database URL scheme "mysql:" (use postgres://, sqlite: or "health")');
  });

  it.skipIf(!process.env.SHIPGATE_TEST_PG_URL)('reaches the database in SHIPGATE_TEST_PG_URL', async () => {
    expect((await checkDatabase(process.env.SHIPGATE_TEST_PG_URL!, { timeoutMs: 10_000 })).ok).toBe(true);
  });
});

describe('checkDatabase: SQLite', () => {
  let dir: string;
  let dbPath: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipgate-verify-sqlite-'));
    dbPath = join(dir, 'app.db');
    execFileSync('sqlite3', [dbPath, 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES (\'a\');']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a real SQLite file by path, sqlite: URL and relative path', async () => {
    expect((await checkDatabase(dbPath, { timeoutMs: 5_000 })).value).toBe('Connected');
    expect((await checkDatabase(`sqlite:${dbPath}`, { timeoutMs: 5_000 })).ok).toBe(true);
    expect((await checkDatabase('sqlite:app.db', { timeoutMs: 5_000, cwd: dir })).ok).toBe(true);
  });

  it('fails a missing file, an empty file, a directory and a file that is not SQLite', async () => {
    writeFileSync(join(dir, 'empty.db'), '');
    writeFileSync(join(dir, 'text.db'), 'this is not a database at all');
    expect((await checkDatabase(join(dir, 'missing.db'), { timeoutMs: 1_000 })).value).toBe(`unreachable: ${join(dir, 'missing.db')} does not exist`);
    expect((await checkDatabase(join(dir, 'empty.db'), { timeoutMs: 1_000 })).value).toBe(`unreachable: ${join(dir, 'empty.db')} is empty, not a SQLite database`);
    expect((await checkDatabase(dir, { timeoutMs: 1_000 })).value).toBe(`unreachable: ${dir} is not a file`);
    expect((await checkDatabase(join(dir, 'text.db'), { timeoutMs: 1_000 })).value).toBe(`unreachable: ${join(dir, 'text.db')} is not a SQLite database`);
  });

  it.skipIf(userInfo().uid === 0)('fails an unreadable file', async () => {
    const locked = join(dir, 'locked.db');
    execFileSync('cp', [dbPath, locked]);
    chmodSync(locked, 0o000);
    expect((await checkDatabase(locked, { timeoutMs: 1_000 })).value).toBe(`unreachable: ${locked} is not readable`);
  });

  const webapp = join(__dirname, '../../examples/webapp');
  const driverUsable = (() => {
    try {
      const Driver = loadDriver(webapp);
      if (!Driver) return false;
      new Driver(':memory:', { readonly: false, fileMustExist: false, timeout: 100 }).close();
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!driverUsable)('opens the file with the project\'s better-sqlite3 and catches a corrupt schema', async () => {
    expect((await checkDatabase(dbPath, { timeoutMs: 5_000, projectRoot: webapp })).ok).toBe(true);
    // A valid header over garbage pages: only a real open notices.
    const corrupt = join(dir, 'corrupt.db');
    const page = Buffer.alloc(4096, 0xab);
    Buffer.from('SQLite format 3\0', 'latin1').copy(page);
    writeFileSync(corrupt, page);
    const result = await checkDatabase(corrupt, { timeoutMs: 1_000, projectRoot: webapp });
    expect(result.ok).toBe(false);
  });
});

describe('checkDatabase: the app\'s health report', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(async () => {
    await app.close();
  });

  it('trusts a health report that says the database is fine', async () => {
    expect(await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` })).toEqual({
      name: 'Database',
      ok: true,
      value: 'Connected',
      threshold: 'connected',
    });
    app.setBehaviour({ health: { database: { status: 'up', latencyMs: 2 } } });
    expect((await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` })).ok).toBe(true);
  });

  it('fails when the report says the database is down, even on a 503', async () => {
    app.setBehaviour({ health: { database: 'down' } });
    expect((await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` })).value).toBe('unreachable: health reports database "down"');
    app.setBehaviour({ health: { database: false } });
    expect((await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` })).value).toBe('unreachable: health reports database false');
  });

  it('fails when the report has no database field or no JSON', async () => {
    app.setBehaviour({ health: true, healthPath: '/other' });
    const result = await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` });
    expect(result.ok).toBe(false);
    expect(result.value).toBe('unreachable: health answered 200 without JSON');
    app.setBehaviour({ healthPath: '/health', health: { database: undefined } });
    expect((await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${app.url}/health` })).value).toBe(
      'unreachable: health report (200) has no database field',
    );
  });

  it('fails when the health endpoint is unreachable or no URL was given', async () => {
    const gone = await startTestServer();
    await gone.close();
    expect((await checkDatabase('health', { timeoutMs: 10_000, healthUrl: `${gone.url}/health` })).value).toBe(
      'unreachable: health check failed: connection refused (ECONNREFUSED)',
    );
    expect((await checkDatabase('health', { timeoutMs: 1_000 })).ok).toBe(false);
  });
});
