import { copyFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../../cli/helpers.js';
import { findFreePort } from '../../../src/platforms/local/free-port.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';

const unavailable = sshHostsUnavailable();
const TINY_APP = join(import.meta.dirname, '../local/fixtures/tiny-app.mjs');

function commit(dir: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message], { cwd: dir });
}

describe.skipIf(unavailable)('deploy to a server over ssh (real sshd, real processes)', () => {
  let hosts: TestHosts;
  let port: number;
  let productionPort: number;
  let project: string;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }, { alias: 'h3', address: '127.0.0.3' }]);
    port = await findFreePort();
    productionPort = await findFreePort();
    project = makeProject(
      [
        'app: tiny',
        'start: node server.mjs',
        'tests: false',
        'migrations: none',
        'verify: { smoke: ["GET /"], window: 4s, minRequests: 5 }',
        'environments:',
        `  staging: { port: ${port}, hosts: [h2], keepWarm: 1m, guard: 0s }`,
        `  production: { port: ${productionPort}, hosts: [h3], tests: "node --version", requires: staging, keepWarm: 1m, guard: 0s }`,
        '',
      ].join('\n'),
    );
    copyFileSync(TINY_APP, join(project, 'server.mjs'));
    commit(project, 'app');
  });
  afterAll(async () => {
    if (project) {
      for (const environment of ['staging', 'production']) {
        const stop = await runCli(['stop', environment, '--yes'], { cwd: project, env: hosts.env });
        expect(stop.code, stop.stderr).toBe(0);
      }
    }
    await hosts?.stop();
  });

  it('deploys onto a bare host: shipgate is installed there, and the app serves on the host', async () => {
    const result = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('success');
    expect(summary.hosts).toEqual([expect.objectContaining({ host: 'h2', status: 'success' })]);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-release')).toBe(summary.release.id);
    // It runs as the host's user, from the host's own copy of the release.
    const { stdout } = await hosts.hosts[0].exec(`ls ~/.shipgate/apps/tiny/current`);
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['server.mjs', 'deploy.config.yaml']));
  });

  it('carries on to a safe end on the host when the SSH connection drops during verification; the CLI exits 4, attach reports the end', async () => {
    writeFileSync(join(project, 'VERSION'), 'two\n');
    commit(project, 'two');
    let killed = false;
    const cut = await runCli(['staging'], {
      cwd: project,
      env: hosts.env,
      onStderr: (text, child) => {
        // Traffic has moved and the watch window runs: the run is in the middle of its verification.
        if (killed || !/h2: traffic on green/.test(text)) return;
        killed = true;
        // The CLI's ssh client (and the connection it holds) dies; the host is not told anything.
        execFileSync('pkill', ['-KILL', '-P', String(child.pid), '-x', 'ssh']);
      },
    });
    expect(killed).toBe(true);
    expect(cut.code, cut.stderr + cut.stdout).toBe(4);
    expect(cut.stdout).toContain('lost the connection to h2 during');
    expect(cut.stdout).toContain('deploy attach staging');

    const attached = await runCli(['attach', 'staging', '--json'], { cwd: project, env: hosts.env });
    expect(attached.code, attached.stderr + attached.stdout).toBe(0);
    const report = JSON.parse(attached.stdout);
    expect(report.hosts).toEqual([expect.objectContaining({ host: 'h2', running: false, summary: expect.objectContaining({ status: 'success' }) })]);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.headers.get('x-release')).toBe(report.hosts[0].summary.release.id);
  });

  it('production on its own server goes out only after staging verified the same commit on its server', async () => {
    const verified = await runCli(['production', '--json'], { cwd: project, env: hosts.env });
    expect(verified.code, verified.stderr + verified.stdout).toBe(0);
    const summary = JSON.parse(verified.stdout);
    expect(summary.checks.pre).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Staging Verified', ok: true })]));
    expect((await fetch(`http://127.0.0.1:${productionPort}/`)).headers.get('x-release')).toBe(summary.release.id);

    writeFileSync(join(project, 'VERSION'), 'three\n');
    commit(project, 'three');
    const blocked = await runCli(['production', '--json'], { cwd: project, env: hosts.env });
    expect(blocked.code).toBe(3);
    const refused = JSON.parse(blocked.stdout);
    expect(refused.checks.pre).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Staging Verified', ok: false, detail: expect.stringContaining('never deployed to staging') })]));
    // Nothing reached production's server: it still serves the verified release.
    expect((await fetch(`http://127.0.0.1:${productionPort}/`)).headers.get('x-release')).toBe(summary.release.id);
  });
});
