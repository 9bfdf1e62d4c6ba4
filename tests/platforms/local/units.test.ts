import { describe, expect, it } from 'vitest';
import { execSimple, appCommand } from '../../../src/platforms/local/spawn-app.js';
import { appEnvironment } from '../../../src/platforms/local/app-env.js';
import { describeFailure } from '../../../src/rollout/outcome.js';
import { flowTiming } from '../../../src/rollout/timing.js';
import { historyRecord } from '../../../src/platforms/local/runtime-extension.js';
import type { ResolvedEnvironment } from '../../../src/config/types.js';

const config = {
  environment: 'staging',
  projectRoot: '/srv/shop',
  stateDir: '/srv/shop/.deploy/staging',
  env: { values: { DATABASE_URL: 'postgres://u:secret@db/shop', PATH: '/from/env/file' }, required: [], files: [] },
  health: { path: '/health', intervalMs: 500, timeoutMs: 30_000 },
  verify: { windowMs: 30_000 },
} as unknown as ResolvedEnvironment;

describe('app command', () => {
  it('execs a simple start line so the app replaces the shell, and leaves compound lines alone', () => {
    expect(execSimple('node server.js')).toBe('exec node server.js');
    expect(execSimple('  exec node server.js ')).toBe('exec node server.js');
    expect(execSimple('npm run migrate && node server.js')).toBe('npm run migrate && node server.js');
    expect(execSimple('node server.js > out.log')).toBe('node server.js > out.log');
    expect(execSimple('node $ENTRY')).toBe('node $ENTRY');
    expect(appCommand('node server.js', '/r', { A: '1' })).toEqual({ file: 'exec node server.js', args: [], shell: true, cwd: '/r', env: { A: '1' }, mutates: true });
  });
});

describe('appEnvironment', () => {
  it('layers the shell, the env files and what every release is told', () => {
    const env = appEnvironment(config, { id: 'r1', version: '1.2.3', commit: 'abc', contentHash: null }, { PATH: '/usr/bin', HOME: '/root', RELEASE_ID: 'stale' });
    expect(env).toMatchObject({
      HOME: '/root',
      PATH: '/from/env/file',
      DATABASE_URL: 'postgres://u:secret@db/shop',
      RELEASE_ID: 'r1',
      DEPLOY_RELEASE: 'r1',
      DEPLOY_VERSION: '1.2.3',
      DEPLOY_COMMIT: 'abc',
      DEPLOY_ENVIRONMENT: 'staging',
      DEPLOY_PROJECT_ROOT: '/srv/shop',
      DEPLOY_SHARED_DIR: '/srv/shop/.deploy/staging/shared',
    });
    expect(env.PORT).toBeUndefined();
  });
});

describe('flow pieces', () => {
  it('names the failed check with value and threshold', () => {
    expect(describeFailure({ name: 'Error Rate', ok: false, value: '5.0%', threshold: '< 1%' })).toBe('Error Rate 5.0% (threshold < 1%)');
  });

  it('derives waits from the config and takes overrides', () => {
    expect(flowTiming(config)).toEqual({
      health: { path: '/health', intervalMs: 500, deadlineMs: 30_000, checkTimeoutMs: 2_000 },
      requestTimeoutMs: 5_000,
      tickMs: 1_000,
      databaseIntervalMs: 5_000,
      stopTimeoutMs: 10_000,
    });
    expect(flowTiming(config, { stopTimeoutMs: 100 }).stopTimeoutMs).toBe(100);
  });

  it('turns crashes of the active app into history records, and ignores the rest', () => {
    const at = new Date('2026-11-27T06:00:00Z');
    expect(historyRecord({ type: 'restarting', id: 'r1', attempt: 2, delayMs: 500 }, 'staging', at)).toMatchObject({
      ts: '2026-11-27T06:00:00.000Z',
      type: 'restart',
      environment: 'staging',
      status: 'info',
      reason: 'release r1 crashed',
      detail: 'restart 2 in 500 ms',
    });
    expect(historyRecord({ type: 'gave-up', id: 'r1', attempts: 10 }, 'staging', at)).toMatchObject({ status: 'failed', reason: 'release r1 kept crashing; gave up after 10 restarts' });
    expect(historyRecord({ type: 'started', id: 'r1', pid: 1, port: 2, restart: 0 }, 'staging')).toBeNull();
  });
});
