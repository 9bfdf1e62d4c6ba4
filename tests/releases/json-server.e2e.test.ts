import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalReleasesDir } from '../../src/releases/location.js';
import { startLoad } from '../helpers/load.js';
import { ensureBuilt } from '../setup/build.js';
import { createNpmProject, getJson, type NpmProject } from './helpers/npm-project.js';

/**
 * json-server (a real npm package) as the app: records POSTed before a deploy must be there after it, each release
 * runs the dependencies of its own lockfile, and retention keeps the good releases. Two groups of projects run side
 * by side (each mostly waits on its own deploys), each with its own state home: the persisted project's tests delete
 * a cache entry by hand, which must not pull the dependencies from under the other group's releases. The persisted
 * project's cache starts empty (its first install is real).
 */
const persistedHome = mkdtempSync(join(tmpdir(), 'shipgate-state-'));
const othersHome = mkdtempSync(join(tmpdir(), 'shipgate-state-'));
const projects: NpmProject[] = [];
/**
 * package.json and package-lock.json of json-server 0.17.3 and 0.17.4 (exact), as `npm install --package-lock-only
 * --save-exact json-server@<version>` wrote them in a folder holding only `{ "name": "app", "version": "1.0.0",
 * "private": true }`: pinned, so a transitive release cannot change what is tested; the deploys install them for real.
 */
const v173 = join(import.meta.dirname, 'fixtures', 'json-server-0.17.3');
const v174 = join(import.meta.dirname, 'fixtures', 'json-server-0.17.4');

/**
 * The other home's cache starts as a hard-linked copy of the persisted project's first install (a cache entry is
 * never written again), so the two groups cost one `npm ci` of 0.17.3, not two at once.
 */
let firstInstallDone: () => void = () => {};
const firstInstall = new Promise<void>((resolve) => (firstInstallDone = resolve));

async function othersCacheFromFirstInstall(): Promise<void> {
  await firstInstall;
  const from = join(persistedHome, 'shipgate', 'dependencies');
  // The first deploy failed before installing: the other group installs on its own.
  if (!existsSync(from)) return;
  const to = join(othersHome, 'shipgate', 'dependencies');
  mkdirSync(to, { recursive: true });
  for (const key of readdirSync(from).filter((name) => !name.includes('.tmp-'))) execFileSync('cp', ['-al', join(from, key), join(to, key)]);
}

const SERVER = `const jsonServer = require('json-server');
const { version } = require('json-server/package.json');
const fs = require('node:fs');
if (fs.existsSync('crash')) { console.error('\\u001b[31mcrash on start\\u001b[39m'); process.exit(1); }
const server = jsonServer.create();
server.use(jsonServer.defaults({ logger: false }));
server.get('/version', (req, res) => res.json({ jsonServer: version, release: process.env.RELEASE_ID }));
server.use(jsonServer.router('db.json'));
server.listen(Number(process.env.PORT), '127.0.0.1');
`;

const config = (extra: string) => (port: number) => `app: posts
start: node server.js
health: { path: /version, interval: 100ms, timeout: 20s }
migrations: none
${extra}
verify: { smoke: ["GET /posts"], window: 2s, minRequests: 5, p95: 2s }
keepWarm: 10m
drainTimeout: 2s
environments:
  staging: { port: ${port} }
`;

async function project(extra: string, stateHome: string): Promise<NpmProject> {
  const created = await createNpmProject({ from: v173, files: { 'server.js': SERVER, 'db.json': '{ "posts": [] }\n' }, config: config(extra), stateHome });
  projects.push(created);
  return created;
}

async function post(url: string, title: string): Promise<void> {
  const response = await fetch(`${url}/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });
  expect(response.status).toBe(201);
}

const titles = async (url: string) => (await getJson<Array<{ title: string }>>(`${url}/posts`)).map((p) => p.title);

describe('json-server across releases', { timeout: 15 * 60_000 }, () => {
  beforeAll(() => ensureBuilt(), 5 * 60_000);

  afterAll(async () => {
    for (const p of projects) await p.stop();
  });

  describe('one project with persist: [db.json]', { concurrent: true }, () => {
    let persisted: NpmProject;
    let first = '';

    it.sequential('with persist: records POSTed before a deploy under load are served after it; the same lockfile reuses the cache', async () => {
      let one: Awaited<ReturnType<NpmProject['deploy']>>;
      try {
        persisted = await project('persist: [db.json]', persistedHome);
        one = await persisted.deploy('staging');
      } finally {
        firstInstallDone();
      }
      expect(one.exitCode, one.summary.message).toBe(0);
      first = one.summary.release.id;
      expect((await persisted.release(first))?.dependencies).toMatchObject({ manager: 'npm', source: 'installed' });

      await post(persisted.url, 'before the deploy');
      await post(persisted.url, 'also before');
      persisted.commit({ 'README.md': 'v2\n' }, 'v2');
      const load = startLoad(`${persisted.url}/posts`, { concurrency: 4, maxDurationMs: 5 * 60_000 });
      await load.waitFor(20);
      const two = await persisted.deploy('staging');
      const traffic = await load.stop();
      expect(two.exitCode, two.summary.message).toBe(0);
      expect(traffic.failed, JSON.stringify(traffic.failures.slice(0, 3))).toBe(0);
      expect(traffic.total).toBeGreaterThan(20);
      expect(await titles(persisted.url)).toEqual(['before the deploy', 'also before']);

      // Same lockfile: the tree came from the cache, no install ran (there is no install log), and both releases'
      // node_modules are links to the one installed entry.
      const second = await persisted.release(two.summary.release.id);
      const firstRelease = await persisted.release(first);
      expect(second?.dependencies).toMatchObject({ source: 'cache', tree: 'symlink', key: firstRelease?.dependencies?.key });
      expect(existsSync(join(second!.dir, '.shipgate', 'install.log'))).toBe(false);
      expect(readlinkSync(join(second!.dir, 'node_modules'))).toBe(readlinkSync(join(firstRelease!.dir, 'node_modules')));
      expect(two.stderr).toContain('from the cache, no install ran');
      expect(second!.dir.startsWith(persisted.dir)).toBe(false);
    });

    it.sequential('a dependency upgrade, then a rollback: the old release runs its old dependencies', async () => {
      persisted.useLockfile(v174, 'json-server 0.17.4');
      const upgraded = await persisted.deploy('staging');
      expect(upgraded.exitCode, upgraded.summary.message).toBe(0);
      expect(await getJson(`${persisted.url}/version`)).toMatchObject({ jsonServer: '0.17.4' });
      expect((await persisted.release(upgraded.summary.release.id))?.dependencies?.source).toBe('installed');
      // One more deploy stops the 0.17.3 release that was kept warm: the rollback below starts it from its directory.
      persisted.commit({ 'README.md': 'v4\n' }, 'v4');
      const v4 = await persisted.deploy('staging');
      expect(v4.exitCode, v4.summary.message).toBe(0);

      // The cache cleaned by hand: the rollback target's node_modules link dangles; the rollback installs the same
      // tree again from that release's own lockfile.
      const oldKey = (await persisted.release(first))!.dependencies!.key;
      rmSync(join(persistedHome, 'shipgate', 'dependencies', oldKey), { recursive: true });
      const back = await persisted.deploy('rollback', 'staging', '--to', first);
      expect(back.exitCode, back.summary.message).toBe(0);
      expect(back.summary.message).toContain('cold start');
      expect(back.stderr).toContain('installed again from its lockfile');
      expect(await getJson(`${persisted.url}/version`)).toMatchObject({ jsonServer: '0.17.3', release: first });
      expect(await titles(persisted.url)).toEqual(['before the deploy', 'also before']);
    });
  });

  describe('projects without persist, and with releases.keep', { concurrent: true }, () => {
    beforeAll(othersCacheFromFirstInstall, 15 * 60_000);

    it.sequential('without persist: the deploy stops at the data-loss pre-check naming db.json; --accept-data-loss drops it and says so', async () => {
      const plain = await project('', othersHome);
      const first = await plain.deploy('staging');
      expect(first.exitCode, first.summary.message).toBe(0);
      await post(plain.url, 'would be lost');
      const status = await plain.cli('status', 'staging');
      expect(status.stdout).toContain('wrote db.json inside its release directory');

      plain.commit({ 'README.md': 'v2\n' }, 'v2');
      const blocked = await plain.deploy('staging');
      expect(blocked.exitCode).toBe(3);
      expect(blocked.summary.status).toBe('blocked');
      const check = blocked.summary.checks.pre.find((c) => c.name === 'Data Loss');
      expect(check).toMatchObject({ ok: false });
      expect(check?.detail).toContain('wrote db.json');
      expect(check?.detail).toContain('`persist: [db.json]`');
      expect(await titles(plain.url)).toEqual(['would be lost']);

      const accepted = await plain.deploy('staging', '--accept-data-loss');
      expect(accepted.exitCode, accepted.summary.message).toBe(0);
      expect(accepted.summary.checks.pre.find((c) => c.name === 'Data Loss')?.detail).toMatch(/^dropped \(--accept-data-loss\): db\.json/);
      expect(await titles(plain.url)).toEqual([]);
    });

    it.sequential('ten failed deploys, then a rollback to an older good release still works (retention counts verified releases)', async () => {
      const kept = await project('releases: { keep: 3 }', othersHome);
      const good: string[] = [];
      for (const step of ['a', 'b']) {
        kept.commit({ 'README.md': `${step}\n` }, step);
        const ok = await kept.deploy('staging');
        expect(ok.exitCode, ok.summary.message).toBe(0);
        good.push(ok.summary.release.id);
      }
      kept.commit({ crash: 'yes\n' }, 'crash on start');
      for (let i = 0; i < 10; i++) {
        kept.commit({ 'README.md': `broken ${i}\n` }, `broken ${i}`);
        const failed = await kept.deploy('staging');
        expect(failed.exitCode).toBe(1);
        expect(failed.summary.logTail?.join('\n')).toContain('crash on start');
        expect(failed.summary.logTail?.join('\n')).not.toContain('\u001b[');
      }
      rmSync(join(kept.dir, 'crash'));
      kept.commit({}, 'fixed for real');
      const fixed = await kept.deploy('staging');
      expect(fixed.exitCode, fixed.summary.message).toBe(0);
      good.push(fixed.summary.release.id);

      const onDisk = readdirSync(externalReleasesDir(join(kept.dir, '.deploy', 'staging'), { XDG_STATE_HOME: othersHome })).filter((n) => !n.startsWith('.')).sort();
      expect(onDisk).toEqual(good);
      const back = await kept.deploy('rollback', 'staging', '--to', good[0]);
      expect(back.exitCode, back.summary.message).toBe(0);
      expect(await getJson(`${kept.url}/version`)).toMatchObject({ release: good[0] });
    });
  });
});
