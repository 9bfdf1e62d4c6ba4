import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cronLine, systemdUnit, unitName } from '../../src/cli/service-unit.js';
import { CLI, ensureBuilt } from '../setup/build.js';
import { makeProject, runCli } from './helpers.js';

describe('deploy service install', () => {
  let dir: string;
  beforeAll(async () => {
    await ensureBuilt();
    dir = makeProject();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a unit that runs `deploy resume --all --watch` in the project at boot, restarted always', async () => {
    const output = join(dir, 'unit.service');
    const run = await runCli(['service', 'install', '--output', output], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(output, 'utf8').split('\n');
    expect(lines).toContain('[Service]');
    expect(lines).toContain('Restart=always');
    expect(lines).toContain('KillMode=process');
    expect(lines).toContain(`WorkingDirectory=${dir}`);
    expect(lines).toContain('WantedBy=default.target');
    expect(lines).toContain(`ExecStart=${process.execPath} ${CLI} resume --all --watch 10s`);
    expect(lines).toContain(`Environment=PATH=${process.env.PATH}`);
    expect(run.stdout).toContain(`wrote ${output}`);
    expect(run.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now shipgate-shop.service');
    expect(run.stdout).toContain(`@reboot cd ${dir} && PATH=${process.env.PATH} ${process.execPath} ${CLI} resume --all >> .deploy/resume.log 2>&1`);
  });

  it('--dry-run prints the unit and writes nothing; --system names the user and the multi-user target', async () => {
    const output = join(dir, 'dry.service');
    const run = await runCli(['service', 'install', '--output', output, '--dry-run', '--system'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`would write ${output}`);
    expect(run.stdout).toMatch(/^User=\S+$/m);
    expect(run.stdout).toContain('WantedBy=multi-user.target');
    expect(existsSync(output)).toBe(false);
  });

  it('quotes paths with spaces for systemd and for the shell', () => {
    const entry = { app: 'my app', projectRoot: '/srv/my app', node: '/usr/bin/node', cli: '/opt/ship gate/main.js', path: '/usr/bin', watchInterval: '10s' };
    expect(unitName(entry.app)).toBe('shipgate-my-app.service');
    expect(systemdUnit(entry)).toContain('WorkingDirectory="/srv/my app"');
    expect(systemdUnit(entry)).toContain('ExecStart=/usr/bin/node "/opt/ship gate/main.js" resume --all --watch 10s');
    expect(cronLine(entry)).toBe("@reboot cd '/srv/my app' && PATH=/usr/bin /usr/bin/node '/opt/ship gate/main.js' resume --all >> .deploy/resume.log 2>&1");
  });

  it('refuses an unknown action with exit 2', async () => {
    const run = await runCli(['service', 'remove'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown action "remove"; expected install');
  });

  it('deploy resume without an environment or --all is a usage error, exit 2, nothing started', async () => {
    const run = await runCli(['resume'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('name an environment');
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });
});
