import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { installDependencies, restoreDependencies } from '../../src/releases/dependency-cache.js';

/**
 * The release's node_modules from the dependency cache, with npm and a real package from the registry (`ms`, no
 * dependencies of its own, so the install is short): one symlink without a build, a private tree of hard links with
 * one, the cache reused for the same lockfile, and a deleted cache entry installed again for a rollback.
 */
const run = promisify(execFile);
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
let lockDir = '';

function release(): string {
  const dir = temp('shipgate-deps-release-');
  for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(lockDir, name), join(dir, name));
  mkdirSync(join(dir, '.shipgate'));
  writeFileSync(join(dir, 'app.js'), "console.log(require('ms')('2h'), require.resolve('ms'));\n");
  return dir;
}

const install = (releaseDir: string, cacheRoot: string, production: boolean) =>
  installDependencies({ releaseDir, cacheRoot, executor: createExecutor(), production, env: { ...(process.env as Record<string, string>) }, logFile: join(releaseDir, '.shipgate', 'install.log') });

/** What the app prints: ms's answer and the file node loaded it from. */
async function runApp(dir: string): Promise<[string, string]> {
  const { stdout } = await run(process.execPath, ['app.js'], { cwd: dir });
  const [answer = '', resolved = ''] = stdout.trim().split(' ');
  return [answer, resolved];
}

describe('dependency trees from the cache (npm, real registry package)', { timeout: 5 * 60_000 }, () => {
  beforeAll(async () => {
    lockDir = temp('shipgate-deps-lock-');
    writeFileSync(join(lockDir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    await run('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--save-exact', 'ms@2.1.3'], { cwd: lockDir, timeout: 4 * 60_000 });
  }, 5 * 60_000);

  it('without a build: one symlink to the cache entry; the same lockfile links the same entry and installs nothing', async () => {
    const cacheRoot = temp('shipgate-deps-cache-');
    const first = release();
    const installed = await install(first, cacheRoot, true);
    expect(installed).toMatchObject({ manager: 'npm', source: 'installed', tree: 'symlink', production: true });
    const entry = join(cacheRoot, installed!.key, 'node_modules');
    expect(lstatSync(join(first, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(first, 'node_modules'))).toBe(entry);
    expect(existsSync(join(first, '.shipgate', 'install.log'))).toBe(true);
    // node follows the link: the module loads from the cache entry, without --preserve-symlinks.
    expect(await runApp(first)).toEqual(['7200000', join(realpathSync(entry), 'ms', 'index.js')]);

    const entryInode = statSync(entry).ino;
    const second = release();
    const reused = await install(second, cacheRoot, true);
    expect(reused).toMatchObject({ key: installed!.key, source: 'cache', tree: 'symlink' });
    expect(readlinkSync(join(second, 'node_modules'))).toBe(entry);
    // No install ran: no log, and the entry is the very directory the first install renamed into place.
    expect(existsSync(join(second, '.shipgate', 'install.log'))).toBe(false);
    expect(statSync(entry).ino).toBe(entryInode);
    expect((await runApp(second))[0]).toBe('7200000');

    // Retention deletes a release directory: the link goes, the cache entry the other release uses stays.
    rmSync(first, { recursive: true });
    expect((await runApp(second))[0]).toBe('7200000');
  });

  it('with a build: a private tree of hard links to the cache entry', async () => {
    const cacheRoot = temp('shipgate-deps-cache-');
    const dir = release();
    const result = await install(dir, cacheRoot, false);
    expect(result).toMatchObject({ source: 'installed', tree: 'hard-links', production: false });
    expect(lstatSync(join(dir, 'node_modules')).isDirectory()).toBe(true);
    const cached = join(cacheRoot, result!.key, 'node_modules', 'ms', 'index.js');
    expect(statSync(join(dir, 'node_modules', 'ms', 'index.js')).ino).toBe(statSync(cached).ino);
    // A build's new files stay in the release.
    writeFileSync(join(dir, 'node_modules', '.cache-of-the-build'), 'x');
    expect(existsSync(join(cacheRoot, result!.key, 'node_modules', '.cache-of-the-build'))).toBe(false);
    expect((await runApp(dir))[0]).toBe('7200000');
  });

  it('a rollback target whose cache entry was deleted gets the same tree back from its lockfile', async () => {
    const cacheRoot = temp('shipgate-deps-cache-');
    const dir = release();
    const installed = await install(dir, cacheRoot, true);
    const input = { releaseDir: dir, cacheRoot, executor: createExecutor(), production: true, env: { ...(process.env as Record<string, string>) }, logFile: join(dir, '.shipgate', 'install.log') };
    expect(await restoreDependencies(input)).toBeNull();

    rmSync(cacheRoot, { recursive: true });
    await expect(runApp(dir)).rejects.toThrow(/Cannot find module 'ms'/);
    const restored = await restoreDependencies(input);
    expect(restored).toMatchObject({ key: installed!.key, source: 'installed', tree: 'symlink' });
    expect((await runApp(dir))[0]).toBe('7200000');
  });
});
