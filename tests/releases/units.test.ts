import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { checkRules } from '../../src/config/rules.js';
import { starterConfig } from '../../src/cli/starter-config.js';
import { readProjectFacts } from '../../src/cli/init/project-facts.js';
import { persistCandidates } from '../../src/cli/init/persist-candidates.js';
import { checkDataLoss, persistLine } from '../../src/checks/data-loss.js';
import { dependencyCacheKey, installCommand } from '../../src/releases/dependency-cache.js';
import { externalReleasesDir, projectKey } from '../../src/releases/location.js';
import { recordManifest } from '../../src/releases/manifest.js';
import { linkPersisted, parsePersist, persistEntryProblem } from '../../src/releases/persist.js';
import { releasesToKeep } from '../../src/releases/retention.js';
import { NotFoundWatch } from '../../src/rollout/not-found-watch.js';
import { readLogTail } from '../../src/platforms/local/log-tail.js';

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('release location', () => {
  it('puts releases under the state home, outside the project, one folder per project path and environment', () => {
    const dir = externalReleasesDir('/srv/shop/.deploy/staging', { XDG_STATE_HOME: '/var/state' });
    expect(dir).toMatch(/^\/var\/state\/shipgate\/shop-[0-9a-f]{12}\/staging\/releases$/);
    expect(externalReleasesDir('/srv/shop/.deploy/staging', { HOME: '/home/u' })).toContain('/.local/state/shipgate/shop-');
    expect(projectKey('/srv/shop')).not.toBe(projectKey('/srv/other/shop'));
  });
});

describe('persist', () => {
  it('refuses paths outside the release and the folders shipgate manages', () => {
    expect(persistEntryProblem('db.json')).toBeNull();
    expect(persistEntryProblem('storage/')).toBeNull();
    expect(persistEntryProblem('../db.json')).toContain('inside the release');
    expect(persistEntryProblem('/etc/passwd')).toContain('inside the release');
    expect(persistEntryProblem('node_modules/')).toContain('managed by shipgate');
    expect(persistEntryProblem('./')).toContain('not the release itself');
  });

  it('is part of the config schema, with the path of a bad entry', () => {
    const parsed = ConfigSchema.safeParse({ app: 'a', persist: ['db.json', '../x'], environments: { staging: { port: 1 } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['persist', 1]);
  });

  it('seeds the shared copy from the release, links it, and takes back a file the live release renamed over its link', async () => {
    const root = temp('shipgate-persist-');
    const shared = join(root, 'shared');
    const first = join(root, 'r1');
    mkdirSync(first);
    writeFileSync(join(first, 'db.json'), '{"v":1}');
    const paths = parsePersist(['db.json', 'storage/']);
    const linked = await linkPersisted(first, shared, paths, null);
    expect(linked.map((l) => l.seeded)).toEqual(['release', 'empty']);
    expect(readlinkSync(join(first, 'db.json'))).toBe(join(shared, 'db.json'));
    expect(lstatSync(join(first, 'storage')).isSymbolicLink()).toBe(true);
    writeFileSync(join(first, 'storage', 'pkg.tgz'), 'tarball');

    // Like lowdb/steno: write a temporary file, rename it over db.json. The link is gone; the data is in r1 only.
    writeFileSync(join(first, 'db.json.tmp'), '{"v":2}');
    renameSync(join(first, 'db.json.tmp'), join(first, 'db.json'));
    const second = join(root, 'r2');
    mkdirSync(second);
    writeFileSync(join(second, 'db.json'), '{"v":1}');
    const again = await linkPersisted(second, shared, paths, first);
    expect(again.map((l) => l.seeded)).toEqual(['live', null]);
    expect(readFileSync(join(second, 'db.json'), 'utf8')).toBe('{"v":2}');
    expect(readFileSync(join(second, 'storage', 'pkg.tgz'), 'utf8')).toBe('tarball');
  });
});

describe('data-loss pre-check', () => {
  it('names created and changed files and the persist line that keeps them; --accept-data-loss reports them as dropped', async () => {
    const stateDir = join(temp('shipgate-dataloss-'), '.deploy', 'staging');
    const release = '20261206-070000-abcdef1';
    const dir = join(externalReleasesDir(stateDir), release);
    mkdirSync(join(dir, '.shipgate'), { recursive: true });
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'server.js'), 'x');
    writeFileSync(join(dir, 'lib', 'a.js'), 'a');
    writeFileSync(join(dir, 'db.json'), '{}');
    await recordManifest(dir, join(dir, '.shipgate'));
    const input = { stateDir, active: release, persist: [] as string[], accept: false };
    expect(await checkDataLoss(input)).toMatchObject({ ok: true, detail: `no undeclared writes in ${release}` });

    // Touched without a change is not a write.
    utimesSync(join(dir, 'server.js'), new Date(), new Date(Date.now() + 5_000));
    expect((await checkDataLoss(input)).ok).toBe(true);

    writeFileSync(join(dir, 'db.json'), '{"posts":[1]}');
    mkdirSync(join(dir, 'uploads', 'a'), { recursive: true });
    writeFileSync(join(dir, 'uploads', 'a', 'cat.png'), 'png');
    const blocked = await checkDataLoss(input);
    expect(blocked).toMatchObject({ ok: false, exitCode: 3 });
    expect(blocked.detail).toContain('db.json, uploads/a/cat.png');
    expect(blocked.detail).toContain('`persist: [db.json, uploads/]`');

    const accepted = await checkDataLoss({ ...input, accept: true });
    expect(accepted).toMatchObject({ ok: true, warning: true });
    expect(accepted.detail).toMatch(/^dropped \(--accept-data-loss\): db\.json, uploads\/a\/cat\.png/);

    // Declared since: the next release takes those files over, nothing is lost.
    expect((await checkDataLoss({ ...input, persist: ['db.json', 'uploads/'] })).ok).toBe(true);
    expect(await checkDataLoss({ ...input, active: null })).toMatchObject({ ok: true });
  });

  it('suggests the configured entries plus the new ones', () => {
    expect(persistLine(['storage/'], ['db.json', 'storage/x', 'data/a/b.sqlite'])).toBe('persist: [storage/, db.json, data/]');
  });
});

describe('dependency cache key', () => {
  const lock = (version: string, dep: string) =>
    JSON.stringify({ name: 'app', version, lockfileVersion: 3, packages: { '': { name: 'app', version, dependencies: { 'json-server': dep } }, 'node_modules/json-server': { version: dep } } });
  const key = (content: string, extra: Partial<Parameters<typeof dependencyCacheKey>[0]> = {}) =>
    dependencyCacheKey({ lockfile: { manager: 'npm', file: 'package-lock.json' }, content, production: true, nodeVersion: 'v22.1.0', os: 'linux', cpu: 'x64', ...extra });

  it('is the same for a version bump of the app alone, and changes with a dependency, node, the OS, the CPU or dev dependencies', () => {
    const base = key(lock('1.0.0', '0.17.3'));
    expect(key(lock('1.0.1', '0.17.3'))).toBe(base);
    expect(key(lock('1.0.0', '0.17.4'))).not.toBe(base);
    expect(key(lock('1.0.0', '0.17.3'), { nodeVersion: 'v20.0.0' })).not.toBe(base);
    expect(key(lock('1.0.0', '0.17.3'), { os: 'darwin' })).not.toBe(base);
    expect(key(lock('1.0.0', '0.17.3'), { cpu: 'arm64' })).not.toBe(base);
    expect(key(lock('1.0.0', '0.17.3'), { production: false })).not.toBe(base);
  });

  it('installs with each package manager from its lockfile, without devDependencies when asked', () => {
    expect(installCommand('npm', '/c', true, {})).toMatchObject({ file: 'npm', args: ['ci', '--no-audit', '--no-fund', '--omit=dev'], cwd: '/c' });
    expect(installCommand('pnpm', '/c', false, {}).args).toEqual(['install', '--frozen-lockfile']);
    expect(installCommand('yarn', '/c', true, {}).args).toContain('--production');
  });
});

describe('retention', () => {
  it('keeps the newest N verified releases and the protected ones, never counting failed ones', () => {
    const releases = [
      { id: 'a', verified: true },
      { id: 'b', verified: true },
      { id: 'c', verified: true },
      ...Array.from({ length: 10 }, (_, i) => ({ id: `d${i}`, verified: false })),
    ];
    expect([...releasesToKeep(releases, 2, ['d9', null])].sort()).toEqual(['b', 'c', 'd9']);
  });
});

describe('health path that does not exist', () => {
  it('gives up after only 404s for the given time, never after another answer', () => {
    let now = 0;
    const watch = new NotFoundWatch(3_000, 3, () => now);
    watch.record('GET /health failed: ECONNREFUSED');
    for (let i = 0; i < 3; i++) watch.record('GET /health answered 404');
    expect(watch.givesUp).toBe(false);
    now = 3_000;
    expect(watch.givesUp).toBe(true);
    const mixed = new NotFoundWatch(0, 1, () => now);
    mixed.record('GET /health answered 503');
    mixed.record('GET /health answered 404');
    expect(mixed.givesUp).toBe(false);
  });
});

describe('log tail', () => {
  it('strips colour codes and hyperlinks', async () => {
    const file = join(temp('shipgate-log-'), 'app.log');
    writeFileSync(file, '\u001b[32mGET\u001b[39m /posts \u001b[1m201\u001b[22m\n\u001b]8;;http://x\u0007link\u001b]8;;\u0007 done\n');
    expect(await readLogTail(file)).toEqual(['GET /posts 201', 'link done']);
  });
});

describe('deploy init', () => {
  it('reads package.json: start script, build, framework, no tests line without a test script', async () => {
    const dir = temp('shipgate-init-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'json-server db.json', test: 'echo "Error: no test specified" && exit 1' }, dependencies: { 'json-server': '0.17.4' } }));
    writeFileSync(join(dir, 'db.json'), '{}');
    mkdirSync(join(dir, 'uploads'));
    const facts = await readProjectFacts(dir);
    expect(facts).toMatchObject({ start: 'npm start', hasTestScript: false, framework: 'json-server', build: null });
    const text = starterConfig({ app: 'a', facts, trial: { path: '/', answers: [{ path: '/', detail: 'GET / answered 200', ok: true }], problem: null }, persist: await persistCandidates(dir), ports: { staging: 5001, production: 5000 } });
    const config = parse(text);
    expect(ConfigSchema.safeParse(config).success).toBe(true);
    expect(checkRules(ConfigSchema.parse(config))).toEqual([]);
    expect(config).toMatchObject({ start: 'npm start', health: { path: '/' }, persist: ['db.json', 'uploads/'], environments: { staging: { port: 5001 } } });
    expect(config.tests).toBeUndefined();
    expect(text).toContain('A rollback');
  });

  it('keeps the tests line when there is a test script', async () => {
    const dir = temp('shipgate-init-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { test: 'node --test' } }));
    expect(parse(starterConfig({ app: 'a', facts: await readProjectFacts(dir) })).tests).toBe('npm test');
  });
});

describe('tests: false at the top level', () => {
  it('is accepted; production refuses only its own tests: false at config time', () => {
    const top = ConfigSchema.parse({ app: 'a', tests: false, start: 'x', environments: { staging: { port: 1 }, production: { port: 2 } } });
    expect(checkRules(top)).toEqual([]);
    const own = ConfigSchema.parse({ app: 'a', start: 'x', environments: { staging: { port: 1 }, production: { port: 2, tests: false } } });
    expect(checkRules(own).map((p) => p.path)).toEqual(['environments.production.tests']);
  });
});


describe('Tests pre-check without a test script', () => {
  it('says so instead of "failing (exit 1)"', async () => {
    const dir = temp('shipgate-notests-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    const { checkTests } = await import('../../src/checks/tests-passing.js');
    const { createExecutor } = await import('../../src/exec/executor.js');
    const result = await checkTests({ cwd: dir, command: 'npm test', timeoutMs: 10_000, executor: createExecutor() });
    expect(result).toMatchObject({ ok: false, exitCode: 3 });
    expect(result.detail).toMatch(/^no test script in package\.json/);
    expect((await checkTests({ cwd: dir, command: undefined, timeoutMs: 10_000, executor: createExecutor() })).detail).toBe('no test script in package.json; nothing run');
  });
});
