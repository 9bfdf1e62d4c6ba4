import { copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../../cli/helpers.js';
import { freePort } from '../../helpers/free-port.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';
import { stopDeploysThenHosts } from './teardown.js';

const unavailable = sshHostsUnavailable();
const TINY_APP = join(import.meta.dirname, '../local/fixtures/tiny-app.mjs');

function unitValue(unit: string, key: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`no ${key}= in the unit:\n${unit}`);
  return line.slice(key.length + 1);
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

describe.skipIf(unavailable)('boot survival on a server (deploy service install <env>, real sshd)', { timeout: 300_000 }, () => {
  let hosts: TestHosts;
  let port: number;
  let project: string;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }]);
    port = await freePort();
    project = makeProject(
      ['app: tiny', 'start: node server.mjs', 'tests: false', 'migrations: none', 'verify: { smoke: ["GET /"], window: 1s, minRequests: 1 }', 'environments:', `  staging: { port: ${port}, hosts: [h2], guard: 0s }`, ''].join('\n'),
    );
    copyFileSync(TINY_APP, join(project, 'server.mjs'));
    execFileSync('git', ['add', '-A'], { cwd: project });
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'app'], { cwd: project });
  }, 120_000);
  afterAll(() => stopDeploysThenHosts(project, hosts, ['staging']), 120_000);

  it('writes the unit on the host, running the app’s own shipgate link; after every process died, its command brings the release back', async () => {
    const deployed = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    const release = JSON.parse(deployed.stdout).release.id as string;
    const host = hosts.hosts[0];

    const installed = await runCli(['service', 'install', 'staging', '--json'], { cwd: project, env: hosts.env });
    expect(installed.code, installed.stderr).toBe(0);
    const unit = JSON.parse(installed.stdout) as { path: string; written: boolean; content: string };
    const appDir = `${host.home}/.shipgate/apps/tiny`;
    expect(unit).toMatchObject({ path: `${host.home}/.config/systemd/user/shipgate-tiny.service`, written: true });
    expect(unitValue(unit.content, 'WorkingDirectory')).toBe(`${appDir}/current`);
    const execStart = unitValue(unit.content, 'ExecStart');
    expect(execStart).toContain(` ${appDir}/shipgate/dist/bin/deploy.js resume --all --watch`);
    expect((await host.exec(`cat ${unit.path}`)).stdout).toBe(unit.content);
    // The link names the build that deployed the app, so the unit follows shipgate upgrades.
    expect((await host.exec(`readlink ${appDir}/shipgate`)).stdout.trim()).toMatch(new RegExp(`^${host.home}/\\.shipgate/versions/[^/]+$`));

    // A reboot, as the host sees it: every process of the user is gone, the public port refuses.
    execFileSync('pkill', ['-KILL', '-u', host.user]);
    await expect.poll(() => refused(`http://127.0.0.1:${port}/`), { timeout: 30_000, interval: 100 }).toBe(true);

    // What systemd runs at boot, once (without --watch): the same release serves again.
    const once = execStart.replace(/ --watch \S+$/, '');
    const environment = unit.content.split('\n').filter((l) => l.startsWith('Environment=SHIPGATE_ON_HOST=')).map((l) => l.slice('Environment='.length));
    expect(environment).toEqual(['SHIPGATE_ON_HOST=h2']);
    const resumed = await host.exec(`cd ${appDir}/current && ${environment.join(' ')} ${once}`);
    expect(resumed.stdout + resumed.stderr).toContain('staging');
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status, resumed.stdout + resumed.stderr).toBe(200);
    expect(response.headers.get('x-release')).toBe(release);
  });
});
