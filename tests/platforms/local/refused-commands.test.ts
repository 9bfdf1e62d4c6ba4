import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusView } from '../../../src/cli/commands/status.js';
import { ensureBuilt } from '../../setup/build.js';
import { runCli } from '../../cli/helpers.js';
import { tinyProject } from './helpers/tiny-project.js';

/**
 * Refused commands change nothing (issues 19 and 21), through the real CLI on the local platform: no journal left
 * behind, no runtime started, no history written, and no later command reports or "recovers" an interrupted run.
 */
const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd });

const stateDir = (dir: string) => join(dir, '.deploy', 'staging');
const history = (dir: string): Array<{ type: string; status: string }> => {
  const file = join(stateDir(dir), 'history.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
const routerLog = (dir: string) => (existsSync(join(stateDir(dir), 'router.log')) ? readFileSync(join(stateDir(dir), 'router.log'), 'utf8') : '');

/** What every refusal must leave as it was. */
function snapshot(dir: string) {
  return { journal: existsSync(join(stateDir(dir), 'journal.json')), history: history(dir), socket: existsSync(join(stateDir(dir), 'router.sock')), routerLog: routerLog(dir) };
}

describe('refused commands change nothing (real CLI, local platform)', { timeout: 240_000 }, () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    for (const dir of dirs) {
      if (existsSync(join(stateDir(dir), 'router.sock'))) {
        const stop = await cli(dir, 'stop', 'staging', '--yes');
        expect(stop.code, stop.stderr).toBe(0);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on a never-deployed environment: rollback is refused (exit 2), starts no runtime, leaves no journal; status and stop then write no history', async () => {
    const dir = await tinyProject('shipgate-refused-');
    dirs.push(dir);
    for (const args of [['rollback', 'staging', '--yes'], ['rollback', 'staging', '--to', '20990101-000000-unknown', '--yes']]) {
      const refused = await cli(dir, ...args);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr + refused.stdout).toMatch(/no previous release|is not among the kept releases of staging/);
      expect(existsSync(join(stateDir(dir), 'journal.json'))).toBe(false);
      expect(existsSync(join(stateDir(dir), 'router.sock'))).toBe(false);
      expect(routerLog(dir)).toBe('');
    }
    const status = await cli(dir, 'status', 'staging', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ deployed: false, active: null, interrupted: null });
    expect(status.stderr).not.toMatch(/interrupted|recover/);
    const stop = await cli(dir, 'stop', 'staging', '--yes');
    expect(stop.code, stop.stderr).toBe(0);
    expect(history(dir).filter((r) => r.status === 'interrupted' || r.type === 'recovery')).toEqual([]);
    expect(existsSync(join(stateDir(dir), 'router.sock'))).toBe(false);
  });

  it('on a deployed environment: a rollback to the active release and to an unknown one are refused (exit 2) and change nothing; later commands record no interruption', async () => {
    const dir = await tinyProject('shipgate-refused-');
    dirs.push(dir);
    // One deploy: the active release is what matters here (a second deploy would add a comparison with blue).
    const run = await cli(dir, 'staging', '--json', '--yes');
    expect(run.code, run.stderr).toBe(0);
    const active = (JSON.parse(run.stdout) as { release: { id: string } }).release.id;
    const before = snapshot(dir);
    expect(before).toMatchObject({ journal: false, socket: true });

    const toActive = await cli(dir, 'rollback', 'staging', '--to', active, '--json', '--yes');
    expect(toActive.code, toActive.stderr).toBe(2);
    expect(JSON.parse(toActive.stdout)).toMatchObject({ status: 'blocked', exitCode: 2, message: `release ${active} is already active on staging; nothing changed` });
    expect(snapshot(dir)).toEqual(before);

    const unknown = await cli(dir, 'rollback', 'staging', '--to', '20990101-000000-unknown', '--json', '--yes');
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(JSON.parse(unknown.stdout).message).toContain('release 20990101-000000-unknown is not among the kept releases of staging');
    expect(snapshot(dir)).toEqual(before);

    const status = await cli(dir, 'status', 'staging', '--json');
    expect(status.code, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout) as StatusView;
    expect(view).toMatchObject({ active: { release: active }, interrupted: null });
    const recover = await cli(dir, 'recover', 'staging');
    expect(recover.code, recover.stderr).toBe(0);
    expect(recover.stdout).toBe('nothing to recover: no interrupted deploy or rollback of staging\n');
    expect(snapshot(dir)).toEqual(before);
  });
});
