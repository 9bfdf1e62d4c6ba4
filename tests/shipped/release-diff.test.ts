import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { releaseDiff, resolveDeployedCommit } from '../../src/shipped/release-diff.js';
import { shippedBrief, shippedDetails, shippedHeadline } from '../../src/shipped/format.js';

/**
 * A real repository with the project in a subfolder, and lockfiles written by the real npm
 * (`npm install --package-lock-only`, from the registry), so the parser meets npm's own format.
 */
describe('release diff (real git, real npm lockfiles)', { timeout: 180_000 }, () => {
  let repo: string;
  let app: string;
  const commits: Record<string, string> = {};
  const executor = createExecutor();

  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  const commit = (name: string, message: string) => {
    git('add', '-A');
    git('commit', '-qm', message);
    commits[name] = git('rev-parse', 'HEAD');
  };
  const dependencies = (deps: Record<string, string>) => {
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: deps }, null, 2));
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe' });
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'shipgate-diff-'));
    app = join(repo, 'app');
    mkdirSync(join(app, 'migrations'), { recursive: true });
    git('init', '-q');
    dependencies({ ms: '2.1.2', 'left-pad': '1.3.0' });
    writeFileSync(join(app, 'migrations', '001_init.sql'), 'CREATE TABLE users (id int);\n');
    writeFileSync(join(app, 'server.js'), 'console.log(1)\n');
    commit('first', 'first release');
    mkdirSync(join(repo, 'other'));
    writeFileSync(join(repo, 'other', 'README'), 'not the app\n');
    commit('outside', 'a change outside the app');
    writeFileSync(join(app, 'migrations', '002_add_email.sql'), 'ALTER TABLE users ADD COLUMN email text;\n');
    commit('migration', 'Add the email column');
    dependencies({ ms: '2.1.3', debug: '4.3.4' });
    commit('deps', 'Upgrade ms, use debug instead of left-pad');
    writeFileSync(join(app, 'yarn.lock'), '# yarn lockfile v1\n');
    writeFileSync(join(app, 'server.js'), 'console.log(2)\n');
    commit('last', 'Fix the login redirect');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const diff = (from: string | null, to: string) =>
    releaseDiff({ executor, cwd: app, from: from === null ? null : { release: 'r-1', commit: from }, to, migrationPaths: ['migrations'] });

  it('lists the project\'s commits, its migration files and the npm lockfile\'s dependency changes', async () => {
    const d = await diff(commits.first!, commits.last!);
    expect(d.kind).toBe('diff');
    // The commit outside the project's folder is not counted.
    expect(d.commits).toMatchObject({ count: 3, removed: 0 });
    expect(d.commits!.first.map((c) => c.subject)).toEqual(['Fix the login redirect', 'Upgrade ms, use debug instead of left-pad', 'Add the email column']);
    expect(d.commits!.first[0]!.commit).toBe(commits.last!.slice(0, d.commits!.first[0]!.commit.length));
    expect(d.migrations).toEqual(['A migrations/002_add_email.sql']);
    expect(d.dependencies).toEqual({
      lockfiles: ['package-lock.json', 'yarn.lock'],
      added: [{ name: 'debug', version: '4.3.4' }],
      removed: [{ name: 'left-pad', version: '1.3.0' }],
      changed: [{ name: 'ms', from: '2.1.2', to: '2.1.3' }],
      // debug 4.3.4 wants ms 2.1.2: npm nests it under node_modules/debug.
      transitive: 1,
    });
    expect(shippedHeadline(d)).toBe('3 commits since r-1, 1 migration file, 4 dependency changes');
    expect(shippedHeadline(d, { counts: false })).toBe('3 commits since r-1');
    expect(shippedBrief(d)).toBe('3 commits, 1 migration file, 4 dependency changes');
    expect(shippedDetails(d, { commits: 2, width: 80 })).toEqual([
      `${d.commits!.first[0]!.commit} Fix the login redirect`,
      `${d.commits!.first[1]!.commit} Upgrade ms, use debug instead of left-pad`,
      '+1 more',
      'Migrations: A migrations/002_add_email.sql',
      'Dependencies: ms 2.1.2 → 2.1.3, +debug 4.3.4, -left-pad 1.3.0 (1 transitive)',
    ]);
  });

  it('going back to an older commit counts the commits left out', async () => {
    const d = await diff(commits.last!, commits.migration!);
    expect(d.commits).toMatchObject({ count: 0, removed: 2, first: [] });
    expect(d.migrations).toEqual([]);
    expect(d.dependencies?.changed).toEqual([{ name: 'ms', from: '2.1.3', to: '2.1.2' }]);
    expect(shippedHeadline(d)).toBe('no new commits since r-1, 2 earlier commits not included, 4 dependency changes');
    expect(shippedHeadline(d, { counts: false })).toBe('no new commits since r-1, 2 earlier commits not included');
  });

  it('a lockfile other than npm\'s is named as changed', async () => {
    const d = await diff(commits.deps!, commits.last!);
    expect(d.dependencies).toEqual({ lockfiles: ['yarn.lock'], added: [], removed: [], changed: [], transitive: 0 });
    expect(shippedHeadline(d)).toBe('1 commit since r-1, yarn.lock changed');
    expect(shippedDetails(d, { commits: 5, width: 80 }).at(-1)).toBe('Dependencies: yarn.lock changed');
  });

  it('first release; unknown when the replaced commit is not in the repository or there is no repository', async () => {
    expect(await diff(null, commits.last!)).toEqual({ kind: 'first', from: null, to: commits.last });
    expect(shippedHeadline(await diff(null, commits.last!))).toBe('first release');
    const gone = await diff('0123456789abcdef0123456789abcdef01234567', commits.last!);
    expect(gone).toMatchObject({ kind: 'unknown', reason: 'commit 0123456 of r-1 is not in this repository' });
    const plain = mkdtempSync(join(tmpdir(), 'shipgate-nogit-'));
    try {
      expect(await resolveDeployedCommit(executor, plain, 'HEAD')).toBeNull();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    expect(await resolveDeployedCommit(executor, app, 'HEAD')).toBe(commits.last);
  });
});
