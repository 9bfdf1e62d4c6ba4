import { copyFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../../cli/helpers.js';
import { freePort } from '../../helpers/free-port.js';
import { startLoad } from '../../helpers/load.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';
import { stopDeploysThenHosts } from './teardown.js';

const unavailable = sshHostsUnavailable();
const TINY_APP = join(import.meta.dirname, '../local/fixtures/tiny-app.mjs');

function commit(dir: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message], { cwd: dir });
}

// Real deploys over ssh, several per test: generous bounds, so a loaded 2-core machine does not fail them.
describe.skipIf(unavailable)('deploy to a server over ssh (real sshd, real processes)', { timeout: 300_000 }, () => {
  let hosts: TestHosts;
  let port: number;
  let productionPort: number;
  let project: string;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }, { alias: 'h3', address: '127.0.0.3' }]);
    port = await freePort();
    productionPort = await freePort();
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
  }, 120_000);
  afterAll(() => stopDeploysThenHosts(project, hosts, ['staging', 'production']), 300_000);

  it('deploys onto a bare host: shipgate is installed there, and the app serves on the host', async () => {
    const result = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('success');
    expect(summary.hosts).toEqual([expect.objectContaining({ host: 'h2', status: 'success' })]);
    // The CLI read the host's (empty) state: nothing was replaced.
    expect(summary.shipped).toMatchObject({ kind: 'first', from: null });
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

  it('switches with zero failed requests under load against the host, and rolls a bad release back while the old one serves', async () => {
    const before = (await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-release');
    const load = startLoad(`http://127.0.0.1:${port}/`, { concurrency: 4, maxDurationMs: 120_000 });
    await load.waitFor(20);
    const deployed = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    const green = JSON.parse(deployed.stdout).release.id;
    await load.waitFor(load.snapshot().total + 20);

    // A release that dies at start: it never gets traffic, and the host says why.
    writeFileSync(join(project, 'server.mjs'), 'console.error("boom: bad release"); process.exit(1);\n');
    commit(project, 'bad');
    const bad = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    const result = await load.stop();
    expect(bad.code, bad.stderr + bad.stdout).toBe(1);
    expect(JSON.parse(bad.stdout).hosts).toEqual([expect.objectContaining({ host: 'h2', exitCode: 1, message: expect.stringContaining('stopped before it got traffic') })]);
    expect((await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-release')).toBe(green);

    expect(result.failed, JSON.stringify(result.failures.slice(0, 3))).toBe(0);
    expect(result.byRelease[before!]).toBeGreaterThan(0);
    expect(result.byRelease[green]).toBeGreaterThan(0);

    // status and history read the host's own state, through the host's own shipgate.
    const status = await runCli(['status', 'staging', '--json'], { cwd: project, env: hosts.env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(expect.objectContaining({ environment: 'staging', active: expect.objectContaining({ release: green }) }));
    const history = await runCli(['history', 'staging', '--json'], { cwd: project, env: hosts.env });
    expect(history.code, history.stderr).toBe(0);
    const records = JSON.parse(history.stdout) as Array<{ status: string; release?: { id: string }; shipped?: unknown }>;
    expect(records.at(-1)).toEqual(expect.objectContaining({ status: 'failed', release: expect.objectContaining({ id: JSON.parse(bad.stdout).release.id }) }));
    // What shipped was worked out where the CLI is (the host has no repository) from the host's active release.
    const shipped = { kind: 'diff', from: { release: green }, commits: { count: 1, removed: 0, first: [{ subject: 'bad' }] } };
    expect(JSON.parse(bad.stdout).shipped).toMatchObject(shipped);
    expect(records.at(-1)?.shipped).toMatchObject(shipped);
  });
});
