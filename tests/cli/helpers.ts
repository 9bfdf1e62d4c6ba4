import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../setup/build.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export const MINIMAL_CONFIG = `app: shop
platform: local
start: node server.js
tests: false
migrations: none
verify:
  smoke: ["GET /"]
environments:
  staging: { port: 4601 }
  production: { port: 4600, tests: npm test }
`;

/** A temporary project folder with a deploy.config.yaml, committed to git so git-based checks see a clean tree. */
export function makeProject(config = MINIMAL_CONFIG, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-cli-'));
  writeFileSync(join(dir, 'deploy.config.yaml'), config);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init');
  } catch {
    // No git: the project is still usable, git checks will say so.
  }
  return dir;
}

export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the built CLI as a real process and collects everything it printed. */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ChildProcess) => void }): Promise<CliResult> {
  const started = Date.now();
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    options.onStderr?.(stderr, child);
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Processes whose working directory is `dir` (Linux /proc), e.g. an orchestrator child left behind. */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Polls a condition (for things that announce no event, like a process ending); throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
