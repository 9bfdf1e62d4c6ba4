import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import type { HistoryRecord } from '../../../src/contracts/history.js';
import type { EnvironmentState } from '../../../src/state/schema.js';
import { freePort } from '../../helpers/free-port.js';
import { connectRouter } from '../../../src/router/client.js';
import { ensureBuilt } from '../../setup/build.js';
import { runCli as runBuiltCli } from '../../cli/helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'app.mjs');

export interface GuardProject {
  dir: string;
  url: string;
  stateDir: string;
  deploy(): Promise<{ exitCode: number; summary: DeploySummary; stderr: string }>;
  cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Writes the config with this guard period (and extra lines) and commits it: the next deploy uses it. */
  configure(settings: { guard: string; extra?: string[] }): void;
  /** The knob flipped at run time: these releases answer 500 from now on. */
  fail(...releases: string[]): void;
  history(): HistoryRecord[];
  state(): EnvironmentState;
  /** A control call to the environment runtime. */
  control<T>(method: string, params?: unknown): Promise<T>;
  destroy(): Promise<void>;
}

/** A tiny app in its own git repository, deployed with the real CLI to the local platform. */
export async function createGuardProject(settings: { guard: string; minRequests?: number }): Promise<GuardProject> {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-guard-'));
  const port = await freePort();
  const failFile = join(dir, 'failing-releases');
  copyFileSync(FIXTURE, join(dir, 'app.mjs'));
  writeFileSync(join(dir, '.gitignore'), '.deploy/\nfailing-releases\n');
  writeFileSync(join(dir, '.env.staging'), `FAIL_FILE=${failFile}\n`);
  writeFileSync(join(dir, 'package.json'), '{ "name": "guard-app", "version": "1.0.0", "type": "module" }\n');
  const writeConfig = (guard: string, extra: string[] = []) =>
    writeFileSync(
      join(dir, 'deploy.config.yaml'),
      [
        'app: guardapp',
        'platform: local',
        'start: node app.mjs',
        'health: { path: /health, interval: 100ms, timeout: 10s }',
        'tests: false',
        'migrations: none',
        'env: { files: [".env.${environment}"] }',
        'verify:',
        '  smoke: ["GET /"]',
        '  errorRate: 1%',
        '  p95: 500ms',
        '  window: 2s',
        `  minRequests: ${settings.minRequests ?? 20}`,
        `guard: ${guard}`,
        'drainTimeout: 1s',
        ...extra,
        'environments:',
        `  staging: { port: ${port} }`,
        '',
      ].join('\n'),
    );
  writeConfig(settings.guard);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'guard app');
  const cli = (...args: string[]) => runCli(dir, args);
  const stateDir = join(dir, '.deploy', 'staging');
  return {
    dir,
    url: `http://127.0.0.1:${port}`,
    stateDir,
    cli,
    async deploy() {
      const run = await cli('staging', '--json', '--yes');
      try {
        return { exitCode: run.exitCode, summary: JSON.parse(run.stdout) as DeploySummary, stderr: run.stderr };
      } catch {
        throw new Error(`no JSON summary (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`);
      }
    },
    configure({ guard, extra }) {
      writeConfig(guard, extra);
      git(dir, 'commit', '-qam', `guard ${guard}`, '--allow-empty');
    },
    fail(...releases) {
      writeFileSync(failFile, releases.join('\n') + '\n');
    },
    history() {
      const file = join(stateDir, 'history.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryRecord);
    },
    state() {
      return JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as EnvironmentState;
    },
    async control<T>(method: string, params: unknown = {}) {
      const client = await connectRouter(stateDir);
      try {
        return await client.call<T>(method, params);
      } finally {
        client.close();
      }
    },
    async destroy() {
      // `deploy stop` returns after the runtime's last write; a failed stop leaves it running: say so, loudly.
      const stop = await cli('stop', 'staging', '--yes');
      if (stop.exitCode !== 0) throw new Error(`deploy stop staging exited ${stop.exitCode}: ${stop.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `probe` returns a value (not undefined/null/false) or the deadline passes. */
export async function waitUntil<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Which release serves new requests through the router now. */
export async function servedBy(url: string): Promise<string | null> {
  const response = await fetch(url + '/health');
  await response.arrayBuffer();
  return response.headers.get('x-release');
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });
}

async function runCli(cwd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await runBuiltCli(args, { cwd });
  return { exitCode: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}
