import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../src/contracts/summary.js';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { ensureBuilt } from '../setup/build.js';
import { makeProject, runCli } from '../cli/helpers.js';
import { freePort } from '../helpers/free-port.js';

const CONFIG = `app: shop
platform: local
dependencies: shared
start: node server.js
tests: false
migrations: none
verify:
  smoke: ["GET /"]
  window: 1s
  minRequests: 5
environments:
  staging: { port: 4611 }
  qa: { port: 4612, tests: "node -e process.exit(1)" }
  live: { port: LIVE_PORT }
`;

/** The built CLI against a project whose state says r-1 (the first commit) is live. */
describe('what shipped, through the CLI and the orchestrator', { timeout: 120_000 }, () => {
  let dir: string;
  let first: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();

  beforeAll(async () => {
    await ensureBuilt();
    dir = makeProject(CONFIG.replace('LIVE_PORT', String(await freePort())), { 'server.js': 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)\n', '.gitignore': '.deploy/\n' });
    first = git('rev-parse', 'HEAD');
    mkdirSync(join(dir, 'migrations'));
    writeFileSync(join(dir, 'migrations', '001_users.sql'), 'CREATE TABLE users (id int);\n');
    git('add', '-A');
    git('commit', '-qm', 'Add the users table');
    writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    git('add', '-A');
    git('commit', '-qm', 'Track the pnpm lockfile');
    for (const env of ['staging', 'qa']) {
      mkdirSync(join(dir, '.deploy', env), { recursive: true });
      const release = { id: 'r-1', version: '1.0.0', commit: first, contentHash: null, createdAt: '2026-12-01T00:00:00.000Z' };
      const state = { schemaVersion: 1, environment: env, url: null, active: { release: 'r-1', upstream: null, since: release.createdAt, running: false }, previous: null, releases: [release], updatedAt: release.createdAt };
      writeFileSync(join(dir, '.deploy', env, 'state.json'), JSON.stringify(state), { mode: 0o600 });
    }
  });
  afterAll(async () => {
    // The real deploys' router and app must stop, and say so.
    const stop = await runCli(['stop', 'live', '--yes'], { cwd: dir });
    expect(stop.code, stop.stderr).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a dry run says what would ship: commits, migration files, lockfiles; human and --json', async () => {
    const json = await runCli(['staging', '--dry-run', '--json'], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout) as DeploySummary;
    expect(summary.shipped).toMatchObject({
      kind: 'diff',
      from: { release: 'r-1', commit: first },
      to: git('rev-parse', 'HEAD'),
      commits: { count: 2, removed: 0 },
      migrations: ['A migrations/001_users.sql'],
      dependencies: { lockfiles: ['pnpm-lock.yaml'], added: [], removed: [], changed: [] },
    });
    expect(summary.shipped!.commits!.first.map((c) => c.subject)).toEqual(['Track the pnpm lockfile', 'Add the users table']);
    const human = await runCli(['staging', '--dry-run'], { cwd: dir });
    expect(human.stdout).toContain('What Shipped: 2 commits since r-1\n');
    expect(human.stdout).toContain('  Migrations: A migrations/001_users.sql\n  Dependencies: pnpm-lock.yaml changed\n');
  });

  it('a blocked deploy records what it would have shipped in history; --ref picks the commit', async () => {
    const run = await runCli(['qa', '--json', '--yes', '--ref', 'HEAD~1'], { cwd: dir });
    expect(run.code, run.stderr).toBe(3);
    expect((JSON.parse(run.stdout) as DeploySummary).shipped).toMatchObject({ kind: 'diff', commits: { count: 1 }, migrations: ['A migrations/001_users.sql'], dependencies: { lockfiles: [] } });
    const records = readFileSync(join(dir, '.deploy', 'qa', 'history.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as HistoryRecord);
    expect(records.at(-1)).toMatchObject({ status: 'blocked', shipped: { kind: 'diff', from: { release: 'r-1' }, commits: { count: 1, first: [{ subject: 'Add the users table' }] } } });
    const listing = await runCli(['history', 'qa'], { cwd: dir });
    expect(listing.stdout).toContain('1 commit, 1 migration file');
  });

  it('a real deploy compares with the release it replaced, though it works the diff out after moving traffic', async () => {
    const firstRun = await runCli(['live', '--json', '--yes'], { cwd: dir });
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const replaced = (JSON.parse(firstRun.stdout) as DeploySummary).release.id;
    expect((JSON.parse(firstRun.stdout) as DeploySummary).shipped).toMatchObject({ kind: 'first' });
    writeFileSync(join(dir, 'README.md'), 'v2\n');
    git('add', '-A');
    git('commit', '-qm', 'Say v2');
    const second = await runCli(['live', '--json', '--yes'], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout) as DeploySummary;
    expect(summary.release.id).not.toBe(replaced);
    expect(summary.shipped).toMatchObject({ kind: 'diff', from: { release: replaced }, to: git('rev-parse', 'HEAD'), commits: { count: 1, removed: 0 } });
    expect(summary.shipped!.commits!.first.map((c) => c.subject)).toEqual(['Say v2']);
  });
});
