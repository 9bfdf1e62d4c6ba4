import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, existsSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { BuildFailedError, createRelease, extractFailure, listReleases, readRelease, releasesDir } from '../../../src/platforms/local/releases.js';
import { gitArchive, tarExtract } from '../../../src/platforms/local/commands.js';
import { pruneReleases } from '../../../src/releases/retention.js';
import { markVerified } from '../../../src/releases/retention.js';
import { formatReleaseId } from '../../../src/platforms/local/release-id.js';
import { UserError } from '../../../src/errors.js';
import { resolveGitSource } from '../../../src/releases/git-source.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-releases-'));
  dirs.push(dir);
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A repository whose deployable project is a subfolder, like examples/webapp in this repo. */
function repoWithProject(): { repo: string; project: string } {
  const repo = tempDir();
  const project = join(repo, 'apps', 'web');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(repo, 'outside.txt'), 'not part of the project\n');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'web', version: '2.3.4' }));
  writeFileSync(join(project, 'server.js'), 'console.log("v1")\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'v1');
  return { repo, project };
}

describe('createRelease', { timeout: 120_000 }, () => {
  it('archives the committed project folder, records commit, version and content hash, then builds inside it', async () => {
    const { repo, project } = repoWithProject();
    writeFileSync(join(project, 'server.js'), 'console.log("uncommitted")\n');
    const stateDir = join(project, '.deploy', 'staging');
    const commit = git(repo, 'rev-parse', 'HEAD');
    const release = await createRelease({
      projectRoot: project,
      stateDir,
      executor: createExecutor(),
      build: 'echo "built $RELEASE_ID in $PWD" > built.txt',
      now: () => new Date('2026-11-27T06:15:00Z'),
    });
    expect(release.id).toBe(`20261127-061500-${commit.slice(0, 7)}`);
    expect(release.commit).toBe(commit);
    expect(release.version).toBe('2.3.4');
    expect(release.source).toBe('git');
    expect(release.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // Outside the project tree: the project's test runners never see release copies.
    expect(release.dir).toBe(join(releasesDir(stateDir), release.id));
    expect(release.dir.startsWith(project)).toBe(false);
    expect(readFileSync(join(release.dir, 'server.js'), 'utf8')).toBe('console.log("v1")\n');
    expect(existsSync(join(release.dir, 'outside.txt'))).toBe(false);
    expect(readFileSync(join(release.dir, 'built.txt'), 'utf8')).toBe(`built ${release.id} in ${release.dir}\n`);
    expect(await readRelease(stateDir, release.id)).toEqual(release);
  });

  it('gives the same content hash to the same commit and a different one after a change', async () => {
    const { repo, project } = repoWithProject();
    const stateDir = join(project, '.deploy', 'staging');
    const executor = createExecutor();
    const first = await createRelease({ projectRoot: project, stateDir, executor });
    const again = await createRelease({ projectRoot: project, stateDir, executor });
    expect(again.id).not.toBe(first.id);
    expect(again.contentHash).toBe(first.contentHash);
    writeFileSync(join(project, 'server.js'), 'console.log("v2")\n');
    git(repo, 'commit', '-qam', 'v2');
    const changed = await createRelease({ projectRoot: project, stateDir, executor });
    expect(changed.contentHash).not.toBe(first.contentHash);
    const old = await createRelease({ projectRoot: project, stateDir, executor, ref: 'HEAD~1' });
    expect(old.contentHash).toBe(first.contentHash);
    expect(old.commit).toBe(first.commit);
  });

  it('streams the commit into the release: a long path, a symlink and an executable survive; the commit is the one the run resolved', async () => {
    const { repo, project } = repoWithProject();
    const longDir = join(project, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(longDir, { recursive: true });
    writeFileSync(join(longDir, 'deep.txt'), 'deep\n');
    symlinkSync('server.js', join(project, 'main.js'));
    writeFileSync(join(project, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'v2');
    const commit = git(repo, 'rev-parse', 'HEAD');
    const stateDir = join(project, '.deploy', 'staging');
    const executor = createExecutor();
    // The run resolved HEAD for its checks; a commit made afterwards is not what this release builds.
    const source = resolveGitSource(executor, project, 'HEAD');
    await source;
    writeFileSync(join(project, 'server.js'), 'console.log("v3")\n');
    git(repo, 'commit', '-qam', 'v3');
    const release = await createRelease({ projectRoot: project, stateDir, executor, source, build: 'echo built >> server.js' });
    expect(release.commit).toBe(commit);
    const deepPath = join(release.dir, 'a'.repeat(60), 'b'.repeat(60), 'deep.txt');
    expect(relative(release.dir, deepPath).length).toBeGreaterThan(100);
    expect(readFileSync(deepPath, 'utf8')).toBe('deep\n');
    expect(lstatSync(join(release.dir, 'main.js')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(release.dir, 'main.js'))).toBe('server.js');
    expect(statSync(join(release.dir, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(release.dir, 'outside.txt'))).toBe(false);
    // One rev-parse for the repository and the commit, then git archive streamed into tar: no archive file left.
    const ran = executor.records.map((r) => r.command);
    expect(ran.filter((c) => c.startsWith('git rev-parse'))).toHaveLength(1);
    expect(ran).toContainEqual(expect.stringMatching(/^git archive --format=tar \S+ \| tar -xf - -C /));
    expect(readdirSync(releasesDir(stateDir)).filter((name) => name.endsWith('.tar'))).toEqual([]);
    // The manifest hashes what is in the directory after the build, the files the build changed included.
    const manifest = JSON.parse(readFileSync(join(release.dir, '.shipgate', 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
    const sha = (path: string) => createHash('sha256').update(readFileSync(join(release.dir, path))).digest('hex');
    expect(readFileSync(join(release.dir, 'server.js'), 'utf8')).toBe('console.log("v1")\nbuilt\n');
    for (const path of ['server.js', 'package.json', 'run.sh', relative(release.dir, deepPath)]) expect(manifest.files[path]?.sha256).toBe(sha(path));
    expect(Object.keys(manifest.files)).not.toContain('main.js');
  });

  it('says which side of the streamed archive failed', async () => {
    const { repo, project } = repoWithProject();
    const executor = createExecutor();
    const { repository } = await resolveGitSource(executor, project, 'HEAD');
    const source = Promise.resolve({ repository, commit: '0123456789abcdef0123456789abcdef01234567' });
    // An unknown commit: tar, given nothing, fails too, but git's error is the cause.
    await expect(createRelease({ projectRoot: project, stateDir: join(project, '.deploy', 'staging'), executor, source })).rejects.toThrow(/^git archive failed: fatal: .+/);
    // tar cannot write: git, with more to write than a pipe holds, then fails writing into the closed pipe, and tar's
    // error is the cause.
    writeFileSync(join(project, 'big.bin'), Buffer.alloc(4 * 1024 * 1024, 7));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'big');
    const cut = await executor.run({ ...gitArchive(repo, 'HEAD', ''), pipeTo: tarExtract('-', join(repo, 'no-such-dir')) });
    expect(cut.from?.exitCode).not.toBe(0);
    expect(extractFailure(cut)).toMatch(/^tar failed: tar: .*no-such-dir: Cannot open/);
  });

  it('refuses an unknown --ref with a one-line user error and creates nothing', async () => {
    const { project } = repoWithProject();
    const stateDir = join(project, '.deploy', 'staging');
    const attempt = createRelease({ projectRoot: project, stateDir, executor: createExecutor(), ref: 'no-such-branch' });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(attempt).rejects.toThrow('--ref no-such-branch: not a commit in this repository');
    expect(existsSync(releasesDir(stateDir))).toBe(false);
  });

  it('copies the working tree without .deploy, node_modules and .git when the project is not a repository', async () => {
    const project = tempDir();
    writeFileSync(join(project, 'server.js'), 'x\n');
    for (const skipped of ['node_modules/dep', '.git', 'lib/node_modules/x']) mkdirSync(join(project, skipped), { recursive: true });
    writeFileSync(join(project, 'node_modules', 'dep', 'index.js'), 'y\n');
    writeFileSync(join(project, 'lib', 'a.js'), 'a\n');
    const stateDir = join(project, '.deploy', 'staging');
    const release = await createRelease({ projectRoot: project, stateDir, executor: createExecutor() });
    expect(release.source).toBe('copy');
    expect(release.commit).toBeNull();
    expect(release.version).toBe(release.contentHash.slice(0, 7));
    expect(readdirSync(release.dir).sort()).toEqual(['.shipgate', 'lib', 'server.js']);
    expect(readdirSync(join(release.dir, 'lib'))).toEqual(['a.js']);
  });

  it('reports a failing build with its exit code and log tail, and never lists that release', async () => {
    const { project } = repoWithProject();
    const stateDir = join(project, '.deploy', 'staging');
    const error = await createRelease({ projectRoot: project, stateDir, executor: createExecutor(), build: 'echo compiling; echo broken >&2; exit 3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildFailedError);
    expect((error as BuildFailedError).exitCode).toBe(3);
    expect((error as BuildFailedError).logTail).toEqual(['compiling', 'broken']);
    expect(await listReleases(stateDir)).toEqual([]);
  });
});

/** Six releases a minute apart; `verified(minute)` says which passed verification. */
async function sixReleases(verified: (minute: number) => boolean) {
  const { project } = repoWithProject();
  const stateDir = join(project, '.deploy', 'staging');
  const executor = createExecutor();
  const ids: string[] = [];
  for (let minute = 0; minute < 6; minute++) {
    const release = await createRelease({ projectRoot: project, stateDir, executor, now: () => new Date(Date.UTC(2026, 10, 27, 6, minute)) });
    if (verified(minute)) await markVerified(release);
    ids.push(release.id);
  }
  return { project, stateDir, executor, ids };
}

describe('pruneReleases', { timeout: 120_000 }, () => {
  it('keeps the newest N verified releases plus the protected ones; failed ones never push a good one out', async () => {
    const { stateDir, ids } = await sixReleases((minute) => minute < 3);
    // ids[3..5] were never verified (failed or rolled back), and they are the newest.
    const deleted = await pruneReleases(stateDir, 2, [ids[5]]);
    expect((await listReleases(stateDir)).map((r) => r.id)).toEqual([ids[1], ids[2], ids[5]]);
    expect(deleted.sort()).toEqual([ids[0], ids[3], ids[4]]);
  });

  it('keeps the newest N plus the active and previous releases, and removes incomplete ones', async () => {
    const { project, stateDir, executor, ids } = await sixReleases(() => true);
    await createRelease({ projectRoot: project, stateDir, executor, build: 'exit 1', now: () => new Date(Date.UTC(2026, 10, 27, 7, 0)) }).catch(() => undefined);
    const deleted = await pruneReleases(stateDir, 2, [ids[0], null]);
    expect((await listReleases(stateDir)).map((r) => r.id)).toEqual([ids[0], ids[4], ids[5]]);
    expect(deleted).toHaveLength(4);
    expect(deleted).toEqual(expect.arrayContaining([ids[1], ids[2], ids[3]]));
  });
});

describe('formatReleaseId', () => {
  it('is UTC time plus the short commit', () => {
    expect(formatReleaseId(new Date('2026-11-27T06:15:00.123Z'), 'abc1234def')).toBe('20261127-061500-abc1234');
  });
});
