import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { freePort } from '../../helpers/free-port.js';
import { readRelease, type ReleaseInfo } from '../../../src/platforms/local/releases.js';
import { runCli } from '../../cli/helpers.js';

const run = promisify(execFile);

/**
 * A fresh folder with the package.json and package-lock.json of the fixture folder `from`, installed for real from
 * npm (`npm ci`, as a new user who cloned the project would), ready for `git init`. The lockfile is pinned, so no
 * registry resolution runs and a new transitive release cannot change what is tested.
 */
export async function freshInstall(from: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-fresh-'));
  for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(from, name), join(dir, name));
  await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, timeout: 15 * 60_000 });
  return dir;
}

export interface NpmProject {
  dir: string;
  port: number;
  url: string;
  env: NodeJS.ProcessEnv;
  /** `deploy <args> --json --yes`; the JSON summary. */
  deploy(...args: string[]): Promise<{ exitCode: number; summary: DeploySummary; stderr: string }>;
  cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Writes files and commits them; returns the commit. */
  commit(files: Record<string, string>, message: string): string;
  /** Takes package.json and the lockfile from the folder `from` and commits them. */
  useLockfile(from: string, message: string): string;
  release(id: string): Promise<ReleaseInfo | null>;
  stop(): Promise<void>;
}

/** A git project in a temp folder with the lockfile of `from`, the given files and deploy.config.yaml (port filled in). */
export async function createNpmProject(options: { from?: string; files: Record<string, string>; config: (port: number) => string; stateHome: string }): Promise<NpmProject> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-npm-app-'));
  if (options.from) for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(options.from, name), join(dir, name));
  const port = await freePort();
  writeFiles(dir, { '.gitignore': 'node_modules\n', ...options.files, 'deploy.config.yaml': options.config(port) });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'app');
  const env = { XDG_STATE_HOME: options.stateHome };
  const cli = async (...args: string[]) => {
    const r = await runCli(args, { cwd: dir, env });
    return { exitCode: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const project: NpmProject = {
    dir,
    port,
    url: `http://127.0.0.1:${port}`,
    env,
    cli,
    async deploy(...args) {
      const r = await cli(...args, '--json', '--yes');
      try {
        return { exitCode: r.exitCode, summary: JSON.parse(r.stdout) as DeploySummary, stderr: r.stderr };
      } catch {
        throw new Error(`no JSON summary (exit ${r.exitCode}): ${r.stdout}\n${r.stderr}`);
      }
    },
    commit(files, message) {
      writeFiles(dir, files);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', message, '--allow-empty');
      return git(dir, 'rev-parse', 'HEAD').trim();
    },
    useLockfile(from, message) {
      return project.commit({ 'package.json': readFileSync(join(from, 'package.json'), 'utf8'), 'package-lock.json': readFileSync(join(from, 'package-lock.json'), 'utf8') }, message);
    },
    release: (id) => withStateHome(options.stateHome, () => readRelease(join(dir, '.deploy', 'staging'), id)),
    async stop() {
      const stopped = await cli('stop', 'staging', '--yes');
      if (stopped.exitCode !== 0) throw new Error(`deploy stop failed (${stopped.exitCode}): ${stopped.stderr}`);
    },
  };
  return project;
}

/** Release paths are computed from XDG_STATE_HOME: read them as the CLI saw them. */
export async function withStateHome<T>(stateHome: string, work: () => Promise<T>): Promise<T> {
  const before = process.env.XDG_STATE_HOME;
  process.env.XDG_STATE_HOME = stateHome;
  try {
    return await work();
  } finally {
    process.env.XDG_STATE_HOME = before;
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    const parent = join(path, '..');
    if (!existsSync(parent)) mkdirSync(parent, { recursive: true });
    writeFileSync(path, content);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}
