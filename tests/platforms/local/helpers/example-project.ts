import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploySummary } from '../../../../src/contracts/summary.js';
import type { HistoryRecord } from '../../../../src/contracts/history.js';
import type { EnvironmentState } from '../../../../src/state/schema.js';
import { freePort } from '../../../helpers/free-port.js';
import { ROOT, ensureBuilt } from '../../../setup/build.js';
import { runCli as runBuiltCli } from '../../../cli/helpers.js';

export const EXAMPLE = join(ROOT, 'examples', 'webapp');
const NATIVE = join(EXAMPLE, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * The example app's dependencies (better-sqlite3 compiles from source, minutes). Installed once; a mkdir lock
 * keeps two test workers from running `npm ci` at the same time. Asynchronous on purpose: a worker whose event loop
 * is held for a minute misses the answer to its own RPC to vitest ("Timeout calling onTaskUpdate"), and `npm test`
 * fails although every test passed.
 */
export async function ensureExampleDeps(): Promise<void> {
  if (existsSync(NATIVE)) return;
  const lock = join(tmpdir(), 'shipgate-example-npm-ci.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (existsSync(NATIVE)) return;
    }
  }
  try {
    if (!existsSync(NATIVE)) await promisify(execFile)('npm', ['ci', '--no-audit', '--no-fund'], { cwd: EXAMPLE, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Knobs {
  errorRate?: number;
  latencyMs?: number;
  crashOnStart?: boolean;
  failHealth?: boolean;
  failAfterMs?: number;
  dbFailAfterMs?: number;
  dbFailAfterRequests?: number;
  lostRoutes?: boolean;
}

export interface CliRun {
  exitCode: number;
  summary: DeploySummary;
  stderr: string;
  durationMs: number;
}

export interface ExampleProject {
  dir: string;
  port: number;
  url: string;
  deploy(...args: string[]): Promise<CliRun>;
  cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Writes knobs.json and commits it: the next release behaves that way. */
  commitKnobs(knobs: Knobs, message?: string): string;
  history(): HistoryRecord[];
  state(): EnvironmentState;
  destroy(): Promise<void>;
}

export interface ProjectSettings {
  windowMs?: number;
  minRequests?: number;
  healthDeadline?: string;
  /** verify.smoke as YAML; default ["GET /", { path: /api/items, status: 200 }]. */
  smoke?: string;
  /** More lines under verify:, e.g. ["onInconclusive: hold", "probe: false"]. */
  verifyExtra?: string[];
}

/**
 * A copy of examples/webapp in its own git repository under /tmp, with short waits in deploy.config.yaml and
 * node_modules linked to the example's (releases resolve better-sqlite3 by walking up to it).
 */
export async function createExampleProject(settings: ProjectSettings = {}): Promise<ExampleProject> {
  await ensureBuilt();
  await ensureExampleDeps();
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-e2e-'));
  for (const name of ['server.js', 'lib', 'migrations', 'test', 'package.json', 'package-lock.json', 'README.md']) {
    cpSync(join(EXAMPLE, name), join(dir, name), { recursive: true });
  }
  mkdirSync(join(dir, 'data'));
  symlinkSync(join(EXAMPLE, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.deploy/\ndata/\n');
  writeFileSync(join(dir, '.env.staging'), 'DATABASE_URL=sqlite:data/staging.db\n');
  writeFileSync(join(dir, 'knobs.json'), '{}\n');
  const port = await freePort();
  const window = `${settings.windowMs ?? 2_000}ms`;
  writeFileSync(
    join(dir, 'deploy.config.yaml'),
    [
      'app: webapp',
      'platform: local',
      'start: node server.js',
      `health: { path: /health, interval: 100ms, timeout: ${settings.healthDeadline ?? '10s'} }`,
      'tests: false',
      // better-sqlite3 compiles for minutes: releases use the example's installed node_modules (linked).
      'dependencies: shared',
      'migrations: { tool: sql, dir: migrations, table: schema_migrations, database: "${DATABASE_URL}" }',
      'env: { required: [DATABASE_URL], files: [".env.${environment}"] }',
      'verify:',
      `  smoke: ${settings.smoke ?? '["GET /", { path: /api/items, status: 200 }]'}`,
      '  errorRate: 1%',
      '  p95: 500ms',
      `  window: ${window}`,
      `  minRequests: ${settings.minRequests ?? 50}`,
      '  database: health',
      ...(settings.verifyExtra ?? []).map((line) => `  ${line}`),
      'keepWarm: 10m',
      'drainTimeout: 2s',
      'environments:',
      `  staging: { port: ${port} }`,
      '',
    ].join('\n'),
  );
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'example app');

  const cli = (...args: string[]) => runCli(dir, args);
  const project: ExampleProject = {
    dir,
    port,
    url: `http://127.0.0.1:${port}`,
    cli,
    async deploy(...args: string[]) {
      const started = performance.now();
      const run = await cli(...(args.length ? args : ['staging']), '--json', '--yes');
      let summary: DeploySummary;
      try {
        summary = JSON.parse(run.stdout) as DeploySummary;
      } catch {
        throw new Error(`no JSON summary (exit ${run.exitCode}): ${run.stdout}\n${run.stderr}`);
      }
      return { exitCode: run.exitCode, summary, stderr: run.stderr, durationMs: performance.now() - started };
    },
    commitKnobs(knobs, message = `knobs ${JSON.stringify(knobs)}`) {
      writeFileSync(join(dir, 'knobs.json'), JSON.stringify(knobs) + '\n');
      git(dir, 'commit', '-qam', message, '--allow-empty');
      return git(dir, 'rev-parse', 'HEAD').trim();
    },
    history() {
      const file = join(dir, '.deploy', 'staging', 'history.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HistoryRecord);
    },
    state() {
      return JSON.parse(readFileSync(join(dir, '.deploy', 'staging', 'state.json'), 'utf8')) as EnvironmentState;
    },
    async destroy() {
      // `deploy stop` returns after the runtime's last write; a failed stop leaves it running: say so, loudly.
      const stop = await cli('stop', 'staging', '--yes');
      if (stop.exitCode !== 0) throw new Error(`deploy stop staging exited ${stop.exitCode}: ${stop.stderr}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return project;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd, encoding: 'utf8' });
}

/** Asynchronous on purpose: the load generator shares this event loop and must keep running during a deploy. */
async function runCli(cwd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const run = await runBuiltCli(args, { cwd });
  return { exitCode: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Which release serves new requests through the router now. */
export async function servedBy(url: string): Promise<string | null> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.headers.get('x-release');
}
