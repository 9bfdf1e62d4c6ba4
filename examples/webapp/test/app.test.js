import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../lib/app.js';
import { createStore, openDatabase } from '../lib/database.js';
import { defaultKnobs, validateKnobs } from '../lib/knobs.js';
import { migrate } from '../lib/migrate.js';

async function start(t, knobOverrides = {}, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'webapp-test-'));
  const db = openDatabase(join(dir, 'app.db'));
  migrate(db);
  const store = createStore(db);
  const server = createApp({ store, knobs: { ...defaultKnobs, ...knobOverrides }, release: 'r-test', version: '1.0.0', ...options });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    await new Promise((resolve) => server.close(resolve));
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return `http://127.0.0.1:${server.address().port}`;
}

test('health reports the database and the release', async (t) => {
  const base = await start(t);
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-release'), 'r-test');
  const body = await res.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.database, 'connected');
});

test('/api/items reads the migrated table', async (t) => {
  const base = await start(t);
  const res = await fetch(`${base}/api/items`);
  assert.equal(res.status, 200);
  const { items } = await res.json();
  assert.deepEqual(items.map((item) => item.name), ['keyboard', 'mouse', 'monitor']);
});

test('/ answers with the release id', async (t) => {
  const base = await start(t);
  const res = await fetch(base);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /release r-test/);
});

test('/ sets a signed visitor cookie when SESSION_SECRET is configured', async (t) => {
  const base = await start(t, {}, { sessionSecret: 'x'.repeat(32) });
  const cookie = (await fetch(base)).headers.get('set-cookie');
  assert.match(cookie, /^visitor=[0-9a-f]{16}\.[\w-]+; Path=\/; HttpOnly/);
});

test('errorRate fails exactly that fraction of requests', async (t) => {
  const base = await start(t, { errorRate: 0.05 });
  let failed = 0;
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${base}/`);
    await res.arrayBuffer();
    if (res.status === 500) failed++;
  }
  assert.equal(failed, 5);
});

test('failHealth makes /health answer 503', async (t) => {
  const base = await start(t, { failHealth: true });
  assert.equal((await fetch(`${base}/health`)).status, 503);
});

test('latencyMs delays requests but not health', async (t) => {
  const base = await start(t, { latencyMs: 150 });
  let started = performance.now();
  await (await fetch(`${base}/`)).text();
  assert.ok(performance.now() - started >= 140);
  started = performance.now();
  await (await fetch(`${base}/health`)).text();
  assert.ok(performance.now() - started < 140);
});

test('failAfterMs turns the release bad after that uptime', async (t) => {
  let clock = 0;
  const base = await start(t, { failAfterMs: 1000 }, { now: () => clock });
  assert.equal((await fetch(`${base}/`)).status, 200);
  clock = 1000;
  assert.equal((await fetch(`${base}/`)).status, 500);
  assert.equal((await fetch(`${base}/health`)).status, 503);
});

test('dbFailAfterMs loses the database connection', async (t) => {
  let clock = 0;
  const base = await start(t, { dbFailAfterMs: 500 }, { now: () => clock });
  assert.equal((await fetch(`${base}/api/items`)).status, 200);
  clock = 500;
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 503);
  assert.equal((await health.json()).database, 'unreachable');
  assert.equal((await fetch(`${base}/api/items`)).status, 503);
});

test('dbFailAfterRequests loses the database after that many requests', async (t) => {
  const base = await start(t, { dbFailAfterRequests: 2 });
  assert.equal((await fetch(`${base}/api/items`)).status, 200);
  assert.equal((await fetch(`${base}/health`)).status, 200);
  assert.equal((await fetch(`${base}/`)).status, 200);
  const health = await fetch(`${base}/health`);
  assert.equal(health.status, 503);
  assert.equal((await health.json()).database, 'unreachable');
});

test('unknown or mistyped knobs are rejected with their name', () => {
  assert.throws(() => validateKnobs({ errorRat: 0.1 }), /knobs\.errorRat: unknown knob/);
  assert.throws(() => validateKnobs({ errorRate: '5%' }), /knobs\.errorRate: expected a number/);
  assert.throws(() => validateKnobs({ errorRate: 5 }), /between 0 and 1/);
});
