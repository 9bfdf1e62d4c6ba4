import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLAUDE_WRAPPER, clientEnv } from '../claude-code/client.js';
import { serveGit } from './git-http.js';
import { pluginRoot } from './plugin-files.js';

/**
 * Installs the plugin the way docs/claude-code.md says, with the real Claude Code CLI into a throwaway HOME:
 * from a git marketplace (this repository's marketplace and plugin/ folder in a git repository served on
 * loopback over smart HTTP), and from an npm install (a node_modules/shipgate folder). Measures the installed size
 * and the install time, and reads back what Claude Code loaded.
 */
let home = '';
let work = '';
let git: Awaited<ReturnType<typeof serveGit>>;

async function claude(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', [CLAUDE_WRAPPER, ...args], { cwd, encoding: 'utf8', env: clientEnv(home, 'http://127.0.0.1:9') });
  return stdout;
}

function du(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? du(path) : statSync(path).size;
  }
  return bytes;
}

const run = (cwd: string, ...args: string[]) => execFileSync(args[0], args.slice(1), { cwd, encoding: 'utf8' });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'plugin-home-'));
  work = mkdtempSync(join(tmpdir(), 'plugin-git-'));
  // What a clone of this repository holds for Claude Code: the marketplace and the plugin folder (plus the rest of
  // the repository, which the install does not copy: the marketplace entry's source is ./plugin).
  const repo = join(work, 'shipgate');
  for (const dir of ['.claude-plugin', 'plugin', 'bundles', 'docs']) cpSync(join(pluginRoot, dir), join(repo, dir), { recursive: true });
  cpSync(join(pluginRoot, 'package.json'), join(repo, 'package.json'));
  cpSync(join(pluginRoot, 'package-lock.json'), join(repo, 'package-lock.json'));
  run(repo, 'git', 'init', '-q');
  run(repo, 'git', 'add', '-A');
  run(repo, 'git', '-c', 'user.email=i@test', '-c', 'user.name=i', 'commit', '-qm', 'shipgate');
  run(work, 'git', 'clone', '-q', '--bare', repo, join(work, 'shipgate.git'));
  git = await serveGit(work);
});

afterAll(async () => {
  await git?.close();
  for (const dir of [home, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('installing the shipgate plugin', () => {
  it('from a git marketplace: no build, no npm install; commands, agent, skill and hook load namespaced', async () => {
    const started = performance.now();
    expect(await claude(work, 'plugin', 'marketplace', 'add', `${git.url}/shipgate.git`)).toContain('shipgate');
    expect(await claude(work, 'plugin', 'install', 'shipgate@shipgate')).toContain('shipgate@shipgate');
    const seconds = (performance.now() - started) / 1000;

    const cache = join(home, '.claude/plugins/cache/shipgate/shipgate');
    const [version] = readdirSync(cache);
    const installed = join(cache, version);
    expect(readdirSync(installed).filter((name) => name !== '.in_use').sort()).toEqual(['.claude-plugin', 'agents', 'bin', 'commands', 'hooks', 'skills']);
    const bytes = du(installed);
    console.log(`plugin install from git: ${(bytes / 1024).toFixed(1)} KiB installed, ${seconds.toFixed(1)} s (marketplace add + install)`);
    expect(bytes).toBeLessThan(200 * 1024);

    const details = await claude(work, 'plugin', 'details', 'shipgate@shipgate');
    const skills = /Skills \(\d+\)\s+(.*)/.exec(details)?.[1].split(/,\s*/) ?? [];
    expect(skills.sort()).toEqual(['deploy', 'deploy-status', 'deployment-recipes', 'rollback']);
    expect(details).toMatch(/Agents \(1\)\s+deployer/);
    expect(details).toMatch(/Hooks \(1\)/);
  }, 180_000);

  it('from an npm install: the marketplace in node_modules/shipgate, a directory source, installs the same plugin', async () => {
    // node_modules/shipgate as npm lays it out: the package's "files" only.
    const project = join(work, 'app');
    const pkg = JSON.parse(run(pluginRoot, 'cat', 'package.json')) as { files: string[] };
    for (const entry of pkg.files.filter((f) => ['plugin', '.claude-plugin', 'bundles'].includes(f))) {
      cpSync(join(pluginRoot, entry), join(project, 'node_modules/shipgate', entry), { recursive: true });
    }
    await claude(project, 'plugin', 'uninstall', 'shipgate@shipgate');
    await claude(project, 'plugin', 'marketplace', 'remove', 'shipgate');
    expect(await claude(project, 'plugin', 'marketplace', 'add', './node_modules/shipgate')).toContain('shipgate');
    expect(await claude(project, 'plugin', 'install', 'shipgate@shipgate')).toContain('shipgate@shipgate');
    const details = await claude(project, 'plugin', 'details', 'shipgate@shipgate');
    expect(details).toMatch(/Agents \(1\)\s+deployer/);
    expect(details).toMatch(/Hooks \(1\)/);
  }, 180_000);
});
