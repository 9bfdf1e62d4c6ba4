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

/** The comparison's git commands: one log counts and lists, one diff names both the migrations and the lockfiles. */
describe('release diff in two git commands (real git)', { timeout: 60_000 }, () => {
  let repo: string;
  const commits: string[] = [];
  let dated: Record<string, string> = {};
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...dated } }).trim();
  const commit = (message: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    git('add', '-A');
    git('commit', '-qm', message);
    commits.push(git('rev-parse', 'HEAD'));
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'shipgate-diff2-'));
    git('init', '-q');
    commit('base', { 'server.js': '1\n', 'migrations/001.sql': 'a;\n', 'db/schema/001.sql': 'a;\n' });
    commit('add a migration', { 'migrations/002.sql': 'b;\n' });
    // Names that only start like a migrations folder or a lockfile are neither.
    commit('look-alikes', { 'migrations-old/x.sql': 'c;\n', 'lib/package-lock.json': '{}\n', 'package-lock.json.bak': '{}\n' });
    commit('a second folder of migrations', { 'db/schema/002.sql': 'd;\n' });
    commit('lockfiles', { 'yarn.lock': '# v1\n', 'pnpm-lock.yaml': 'lockfileVersion: 9\n' });
    commit('last', { 'server.js': '2\n' });
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('splits one diff into migration files and lockfiles, and asks git twice when the run resolved the commit', async () => {
    const executor = createExecutor();
    const d = await releaseDiff({
      executor,
      cwd: repo,
      from: { release: 'r-1', commit: commits[0]! },
      to: 'HEAD',
      toCommit: Promise.resolve(commits.at(-1)!),
      migrationPaths: ['migrations', './db/schema/'],
    });
    expect(d).toMatchObject({ kind: 'diff', to: commits.at(-1), commits: { count: 5, removed: 0 } });
    expect(d.commits!.first.map((c) => c.subject)).toEqual(['last', 'lockfiles', 'a second folder of migrations', 'look-alikes', 'add a migration']);
    expect(d.migrations).toEqual(['A db/schema/002.sql', 'A migrations/002.sql']);
    expect(d.dependencies).toEqual({ lockfiles: ['pnpm-lock.yaml', 'yarn.lock'], added: [], removed: [], changed: [], transitive: 0 });
    expect(executor.records.map((r) => r.command.split(' ').slice(0, 2).join(' '))).toEqual(['git log', 'git diff']);
  });

  it('counts with rev-list past the log\'s limit, and lists the newest shipped commits even when the other side is newer', async () => {
    // A branch off the third commit gets two commits, dated before the main line's: going to it removes three,
    // which a log sorted by date lists first.
    git('checkout', '-q', '-b', 'side', commits[2]!);
    dated = { GIT_COMMITTER_DATE: '2001-01-01T00:00:00Z', GIT_AUTHOR_DATE: '2001-01-01T00:00:00Z' };
    commit('side one', { 'side.txt': '1\n' });
    dated = { GIT_COMMITTER_DATE: '2001-01-02T00:00:00Z', GIT_AUTHOR_DATE: '2001-01-02T00:00:00Z' };
    commit('side two', { 'side.txt': '2\n' });
    dated = {};
    git('checkout', '-q', '-');
    const executor = createExecutor();
    const input = { executor, cwd: repo, from: { release: 'r-1', commit: commits[5]! }, to: commits[7]!, migrationPaths: ['migrations'] };
    const whole = await releaseDiff(input);
    expect(whole.commits).toEqual({ count: 2, removed: 3, first: [expect.objectContaining({ subject: 'side two' }), expect.objectContaining({ subject: 'side one' })] });
    // Two lines of log only: the counts come from rev-list, the subjects from their own log.
    const limited = await releaseDiff({ ...input, countedByLog: 2 });
    expect(limited.commits).toEqual(whole.commits);
    expect(executor.records.map((r) => r.command.split(' ').slice(0, 2).join(' ')).slice(-5)).toEqual(['git rev-parse', 'git log', 'git diff', 'git rev-list', 'git log']);
  });

  it('a ref the run could not resolve is unknown, without asking git to compare', async () => {
    const executor = createExecutor();
    const d = await releaseDiff({ executor, cwd: repo, from: { release: 'r-1', commit: commits[0]! }, to: 'no-such-ref', toCommit: Promise.resolve(null), migrationPaths: [] });
    expect(d).toEqual({ kind: 'unknown', from: { release: 'r-1', commit: commits[0] }, to: null, reason: 'no-such-ref is not a commit in this repository' });
    expect(executor.records.map((r) => r.command)).toEqual([`git rev-parse --verify --quiet --end-of-options '${commits[0]}^{commit}'`]);
  });
});
