import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_FILE } from '../../../src/router/cookie-signer.js';
import { createRouter } from '../../../src/router/router.js';
import { stickyBucket } from '../../../src/router/sticky.js';
import { startUpstream, tempStateDir } from '../helpers.js';

/** Clients that try to choose their own cohort: forged cookies, a user header from an untrusted client. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { trustUserHeader?: boolean } = {}) {
  const state = await tempStateDir();
  cleanups.push(() => state.remove());
  const blue = await startUpstream('blue');
  cleanups.push(() => blue.close());
  const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir: state.dir, ...options });
  cleanups.push(() => router.close(100));
  await router.setActive({ id: 'blue', url: blue.url });
  router.flags.set({ version: 1, userHeader: 'x-user-id', flags: { five: { enabled: true, percent: 5, updatedAt: '2026-01-01T00:00:00Z' } } });
  const flagsOf = async (headers: Record<string, string>) => {
    await fetch(`http://127.0.0.1:${router.port}/`, { headers }).then((r) => r.arrayBuffer());
    return { flags: String(blue.seen.at(-1)!['x-shipgate-flags']) };
  };
  return { router, state, blue, flagsOf };
}

describe('hostile clients: cohorts', () => {
  it('ignores a chosen flags cookie: a 5% flag is not on for a client that picks a key that would turn it on', async () => {
    const { flagsOf, router, state } = await setup();
    // A key that lands in the 5% (found offline, as an attacker would), sent unsigned and with a made-up signature.
    let key = 0;
    while (stickyBucket(`five:k${key}`) >= 5) key++;
    let on = 0;
    for (let i = 0; i < 200; i++) if ((await flagsOf({ cookie: `shipgate_flags=k${key}${i % 2 ? '.AAAAAAAAAAAAAAAAAAAAAA' : ''}` })).flags === 'five') on++;
    expect(on).toBeLessThan(40);
    // The secret lives in the state dir, 0600; a signed cookie from the router keeps its cohort.
    expect(statSync(join(state.dir, SECRET_FILE)).mode & 0o777).toBe(0o600);
    const first = await fetch(`http://127.0.0.1:${router.port}/`);
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    const cohort = (await flagsOf({ cookie })).flags;
    for (let i = 0; i < 10; i++) expect((await flagsOf({ cookie })).flags).toBe(cohort);
  });

  it('takes the user header only when the config trusts it', async () => {
    let key = 0;
    while (stickyBucket(`five:u${key}`) >= 5) key++;
    const untrusted = await setup();
    let on = 0;
    for (let i = 0; i < 100; i++) if ((await untrusted.flagsOf({ 'x-user-id': `u${key}` })).flags === 'five') on++;
    expect(on).toBeLessThan(30);
    const trusted = await setup({ trustUserHeader: true });
    for (let i = 0; i < 10; i++) expect((await trusted.flagsOf({ 'x-user-id': `u${key}` })).flags).toBe('five');
  });

  it('ignores a forged sticky canary cookie', async () => {
    const { router } = await setup();
    const green = await startUpstream('green');
    cleanups.push(() => green.close());
    await router.setWeights({ upstream: { id: 'green', url: green.url }, percent: 5, sticky: true });
    let key = 0;
    while (stickyBucket(`s${key}`) >= 5) key++;
    let green_ = 0;
    for (let i = 0; i < 100; i++) {
      const response = await fetch(`http://127.0.0.1:${router.port}/`, { headers: { cookie: `shipgate_split=s${key}` } });
      if ((await response.text()) === 'green') green_++;
      expect(response.headers.get('set-cookie')).toMatch(/^shipgate_split=[\w-]+\.[\w-]+;/);
    }
    expect(green_).toBeLessThan(30);
  });
});
