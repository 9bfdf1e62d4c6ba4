import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeApp } from '../../../src/platforms/local/runtime-status.js';
import type { StatusView } from '../../../src/cli/commands/status.js';
import { ensureBuilt } from '../../setup/build.js';
import { runCli } from '../../cli/helpers.js';
import { git, stopAndRemove, tinyProject } from './helpers/tiny-project.js';

const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd });

describe('deploy status on the local platform asks the runtime', { timeout: 240_000 }, () => {
  let dir: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tinyProject('shipgate-status-');
    const deploy = async () => {
      const run = await cli(dir, 'staging', '--json', '--yes');
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { release: { id: string } }).release.id;
    };
    first = await deploy();
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'second');
    second = await deploy();
  }, 240_000);

  afterAll(() => stopAndRemove(dir));

  it('reports the active release uptime and the warm previous release, in --json and for humans', async () => {
    const json = await cli(dir, 'status', 'staging', '--json');
    expect(json.code, json.stderr).toBe(0);
    const view = JSON.parse(json.stdout) as StatusView;
    expect(view.active?.release).toBe(second);
    expect(view.runtime?.active).toMatchObject({ release: second, state: 'running', up: true, restarts: 0, warmUntil: null });
    expect(view.runtime?.active?.pid).toBeGreaterThan(0);
    // Uptime is the supervisor's, counted from the start it recorded.
    const startedAt = Date.parse(view.runtime!.active!.startedAt!);
    expect(view.runtime!.active!.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(startedAt + view.runtime!.active!.uptimeMs!).toBeLessThanOrEqual(Date.now());
    expect(view.runtime?.previous).toMatchObject({ release: first, state: 'running', up: true });
    expect(view.previous).toMatchObject({ release: first, running: true });
    expect(view.runtime?.process).toMatchObject({ host: '127.0.0.1', restarts: 0 });
    expect(view.runtime?.process?.keeperPid).toBeGreaterThan(0);
    expect(Date.parse(view.runtime!.previous!.warmUntil!)).toBeGreaterThan(Date.now());

    const human = await cli(dir, 'status', 'staging');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`active: +${second} .* since \\S+, up \\d`));
    expect(human.stdout).toContain(`previous: ${first} (warm until ${view.runtime!.previous!.warmUntil})`);
    expect(human.stdout).toContain(`runtime:  pid ${view.runtime!.process!.pid} listening on 127.0.0.1:${view.runtime!.process!.port} (keeper pid ${view.runtime!.process!.keeperPid})`);
    expect(human.stdout).toMatch(new RegExp(`active: +${second} .*, up \\S+, pid ${view.runtime!.active!.pid}`));
  });

  it('after deploy stop it says the runtime is down: active not running, previous stopped', async () => {
    const stopped = await cli(dir, 'stop', 'staging', '--yes');
    expect(stopped.code, stopped.stderr).toBe(0);
    const json = await cli(dir, 'status', 'staging', '--json');
    // No runtime answers: nothing runs, whatever state.json's last word was.
    expect(JSON.parse(json.stdout)).toMatchObject({ active: { release: second }, previous: { release: first, running: false }, runtime: null });
    const human = await cli(dir, 'status', 'staging');
    expect(human.stdout).toMatch(new RegExp(`active: +${second} .*, not running\\n`));
    expect(human.stdout).toContain(`previous: ${first} (stopped)`);
    expect(human.stdout).toContain('runtime:  not running');
    // The hint is always safe: resume, never a deploy of HEAD or a rollback.
    expect(human.stdout).toContain(`\`deploy resume staging\` brings back the router and ${second} (deploys nothing new)`);
    expect(human.stdout).not.toMatch(/`deploy staging`|`deploy rollback/);
  });
});

describe('describeApp', () => {
  const app = { id: 'r1', pid: 10, port: 1, url: 'http://127.0.0.1:1', cwd: '/', logFile: '/l', restartOnCrash: true, restarts: 2, startedAt: '2026-01-01T00:00:00.000Z', lastExit: null };
  const now = Date.parse('2026-01-01T00:01:30.000Z');

  it('counts uptime from the supervisor start for a live app, and none for one that is down or gone', () => {
    expect(describeApp([{ ...app, state: 'running', warmUntil: null }], 'r1', now)).toMatchObject({ up: true, uptimeMs: 90_000, restarts: 2 });
    expect(describeApp([{ ...app, state: 'backoff' }], 'r1', now)).toMatchObject({ up: true, state: 'backoff' });
    expect(describeApp([{ ...app, state: 'gave-up' }], 'r1', now)).toMatchObject({ up: false, uptimeMs: null, state: 'gave-up' });
    expect(describeApp([], 'r1', now)).toMatchObject({ up: false, state: 'absent', uptimeMs: null });
    expect(describeApp([], null, now)).toBeNull();
  });
});
