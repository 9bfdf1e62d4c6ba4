import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../setup/build.js';
import { MINIMAL_CONFIG, makeProject, processesIn, runCli, waitFor } from './helpers.js';

beforeAll(() => ensureBuilt(), 120_000);

const ANSI = /\u001b\[/;

describe('deploy CLI (built, run as a real process)', () => {
  it('prints help and exits 0', async () => {
    const dir = makeProject();
    const r = await runCli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const word of ['status', 'history', 'rollback', 'init', 'unlock', 'stop', '--dry-run', '--json', '--strategy', '--lock-wait']) expect(r.stdout).toContain(word);
  });

  it('the built bin (dist/bin/deploy.js) is executable and runs by itself', async () => {
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
    const { stdout } = await promisify(execFile)(CLI, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown environment in one line with exit 2 and creates nothing', async () => {
    const dir = makeProject();
    const r = await runCli(['prod'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['deploy: unknown environment "prod"; known: staging, production']);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('rejects an environment name with path or shell characters before reading anything', async () => {
    const dir = makeProject();
    const r = await runCli(['../etc;rm'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid environment name');
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('reports every config problem at once, with paths, exit 2', async () => {
    const bad = MINIMAL_CONFIG.replace('staging: { port: 4601 }', 'staging: { port: 4601, verify: { p95: fast }, prot: 1 }');
    const dir = makeProject(bad);
    const r = await runCli(['staging'], { cwd: dir });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain('deploy: deploy.config.yaml: environments.staging.verify.p95: expected a duration like "500ms"');
    expect(lines).toContain('deploy: deploy.config.yaml: environments.staging.prot: unknown key');
    expect(lines).toHaveLength(2);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('--dry-run prints the plan in the summary format, changes nothing, exit 0', async () => {
    const dir = makeProject();
    const r = await runCli(['staging', '--dry-run'], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Deployment Status: 🔍 DRY RUN (nothing changed)');
    expect(r.stdout).toContain('Environment: staging');
    expect(r.stdout).toContain('Strategy: blue-green');
    expect(r.stdout).toContain('URL: http://localhost:4601');
    expect(r.stdout).toContain('Pre-Deployment Checks:');
    expect(r.stdout).toMatch(/Plan:\n {2}1\. pre-checks/);
    expect(r.stdout).not.toMatch(ANSI);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('--dry-run --json prints exactly one JSON object on stdout', async () => {
    const dir = makeProject();
    const r = await runCli(['staging', '--dry-run', '--json', '--strategy', 'canary'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ status: 'success', environment: 'staging', strategy: 'canary', dryRun: true, exitCode: 0, url: 'http://localhost:4601' });
    expect(summary.checks).toEqual({ pre: expect.any(Array), post: [] });
    expect(summary.rollback).toEqual({ performed: false, reason: null, command: '' });
    // A first deploy has no stable release: the plan says the canary becomes a whole switch, and that is what runs
    // (tests/rollout/plan-is-what-runs.test.ts has the canary steps of an environment with a stable release).
    expect(summary.plan.steps.join('\n')).toMatch(/switch http:\/\/localhost:4601 from blue to green \(no stable release to compare a canary with\)/);
    expect(summary.plan.steps.join('\n')).not.toMatch(/canary 10%/);
  });

  it('a config the platform cannot use fails a real deploy with exit 2, names the path, changes nothing and leaves no orchestrator behind', async () => {
    const dir = makeProject(MINIMAL_CONFIG.replace('platform: local', 'platform: kubernetes'));
    const r = await runCli(['staging', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).message).toContain('deploy.config.yaml: environments.staging.kubernetes.namespace: required');
    expect(r.stderr).not.toContain('    at ');
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
    // The orchestrator child is started before the config is read; it must end with the CLI.
    await waitFor(() => processesIn(dir).length === 0, 5_000);
  });

  it('a killed orchestrator makes the CLI say so in one line and exit 4 promptly', async () => {
    const dir = makeProject();
    let killedAt = 0;
    const r = await runCli(['staging', '--dry-run', '--verbose'], {
      cwd: dir,
      env: { DEPLOY_TEST_CHILD_HANG: '1' },
      onStderr: (text) => {
        // Wait until the child is inside a phase, then kill it for real.
        const pid = /orchestrator pid (\d+)/.exec(text)?.[1];
        if (pid && !killedAt && text.includes('pre-checks')) {
          killedAt = Date.now();
          process.kill(Number(pid), 'SIGKILL');
        }
      },
    });
    expect(killedAt).toBeGreaterThan(0);
    expect(r.code).toBe(4);
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(r.stdout).toContain('Deployment Status: ❌ FAILED');
    expect(r.stdout).toContain('the orchestrator was killed (SIGKILL) during pre-checks; state may be uncertain');
  });

  it('an orchestrator past the run deadline is stopped: exit 4, never hangs', async () => {
    const dir = makeProject();
    const r = await runCli(['staging', '--dry-run', '--json'], { cwd: dir, env: { DEPLOY_TEST_CHILD_HANG: '1', DEPLOY_RUN_DEADLINE: '500ms' } });
    expect(r.code).toBe(4);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: 'failed', exitCode: 4 });
    expect(summary.message).toContain('exceeded the run deadline');
  });

  it('init writes a starter config that validates, and refuses to overwrite it', async () => {
    const dir = makeProject();
    const fresh = join(dir, 'fresh');
    mkdirSync(fresh);
    const first = await runCli(['init'], { cwd: fresh });
    expect(first.code).toBe(0);
    const text = readFileSync(join(fresh, 'deploy.config.yaml'), 'utf8');
    expect(text).toMatch(/^# /);
    expect(text).toContain('app: fresh');
    const second = await runCli(['init'], { cwd: fresh });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('already exists');
    expect(readFileSync(join(fresh, 'deploy.config.yaml'), 'utf8')).toBe(text);
    const dry = await runCli(['staging', '--dry-run', '--json'], { cwd: fresh });
    expect(dry.stderr).not.toContain('deploy.config.yaml:');
    expect(JSON.parse(dry.stdout).environment).toBe('staging');
  });

  it('status and history read .deploy/<env> state', async () => {
    const dir = makeProject();
    const envDir = join(dir, '.deploy', 'staging');
    mkdirSync(envDir, { recursive: true });
    const now = '2025-01-02T03:04:05.000Z';
    writeFileSync(
      join(envDir, 'state.json'),
      JSON.stringify({
        schemaVersion: 1,
        environment: 'staging',
        url: 'http://localhost:4601',
        active: { release: 'r2', upstream: '127.0.0.1:41001', since: now, running: true },
        previous: { release: 'r1', upstream: '127.0.0.1:41000', since: now, running: true },
        releases: [
          { id: 'r1', version: '1.0.0', commit: 'aaaaaaaaaaaa', contentHash: null, createdAt: now },
          { id: 'r2', version: '1.0.1', commit: 'bbbbbbbbbbbb', contentHash: null, createdAt: now },
        ],
        updatedAt: now,
      }),
    );
    const record = { ts: now, type: 'deploy', environment: 'staging', status: 'success', verified: true, release: { id: 'r2', version: '1.0.1', commit: 'bbbbbbbbbbbb', contentHash: null }, user: 'me', host: 'h', durationMs: 1200 };
    writeFileSync(join(envDir, 'history.jsonl'), JSON.stringify(record) + '\n{"torn":');

    const status = await runCli(['status', 'staging', '--json'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      environment: 'staging',
      url: 'http://localhost:4601',
      active: { release: 'r2', upstream: '127.0.0.1:41001' },
      previous: { release: 'r1', upstream: '127.0.0.1:41000' },
    });
    const human = await runCli(['status'], { cwd: dir });
    expect(human.stdout).toContain('active:   r2 (1.0.1, bbbbbbb) on 127.0.0.1:41001');
    expect(human.stdout).toContain('production');
    expect(human.stdout).toContain('never deployed');

    const history = await runCli(['history', 'staging', '--json'], { cwd: dir });
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([record]);
    const lines = await runCli(['history'], { cwd: dir });
    expect(lines.stdout).toMatch(/2025-01-02 03:04:05Z\s+staging\s+deploy\s+✅ success\s+r2 1\.0\.1 bbbbbbb\s+1\.2s\s+verified/);
  });

  it('unlock removes a held lock and names its holder', async () => {
    const dir = makeProject();
    const envDir = join(dir, '.deploy', 'staging');
    mkdirSync(envDir, { recursive: true });
    writeFileSync(join(envDir, 'lock'), JSON.stringify({ pid: 999999, host: 'elsewhere', user: 'ann', startedAt: 'x', version: '0', environment: 'staging', token: 't' }));
    const r = await runCli(['unlock', 'staging'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('held by pid 999999 on elsewhere');
    expect(existsSync(join(envDir, 'lock'))).toBe(false);
    const again = await runCli(['unlock', 'staging'], { cwd: dir });
    expect(again.stdout).toContain('staging was not locked');
  });

  it('--force-unverified without --reason is a usage error', async () => {
    const dir = makeProject();
    const r = await runCli(['production', '--force-unverified'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('deploy: --force-unverified needs --reason "<why>"; the reason is recorded in history');
    // The orchestrator starts as the CLI's first act (src/orchestrator/pending.ts); it ends with the CLI.
    await waitFor(() => processesIn(dir).length === 0, 5_000);
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const dir = makeProject();
    const r = await runCli(['staging', '--bogus'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    await waitFor(() => processesIn(dir).length === 0, 5_000);
  });
});
