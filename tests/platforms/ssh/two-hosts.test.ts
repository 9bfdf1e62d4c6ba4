import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli, waitFor } from '../../cli/helpers.js';
import { followCli } from '../../helpers/follow-cli.js';
import { freePort } from '../../helpers/free-port.js';
import { startLoad } from '../../helpers/load.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';
import { stopDeploysThenHosts } from './teardown.js';

const unavailable = sshHostsUnavailable();

const SECRET = 'tok-9e3a71c5b2';

// Serves its VERSION, and logs its token (a secret from an env file that only the CLI's machine has); a release other than the first answers 500 (but stays healthy, so it gets traffic and fails
// verification) on a host whose user has a file ~/broken.
const APP = `import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
const version = existsSync('VERSION') ? readFileSync('VERSION', 'utf8').trim() : 'one';
const broken = version !== 'one' && existsSync(homedir() + '/broken');
console.log('starting ' + version + ' with token=' + process.env.APP_TOKEN);
createServer((req, res) => {
  if (req.url !== '/health') console.log(req.method + ' ' + req.url + ' token=' + process.env.APP_TOKEN);
  res.setHeader('x-release', process.env.RELEASE_ID ?? 'none');
  res.statusCode = broken && req.url !== '/health' ? 500 : 200;
  res.end(version);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function commit(dir: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message], { cwd: dir });
}

function config(port: number, batch: number): string {
  return [
    'app: pair',
    'start: node server.mjs',
    'tests: false',
    'migrations: none',
    'health: { path: /health }',
    'verify: { smoke: ["GET /health"], window: 4s, minRequests: 5 }',
    'env: { files: [.env.staging] }',
    'environments:',
    '  staging:',
    `    port: ${port}`,
    `    batch: ${batch}`,
    '    keepWarm: 1m',
    '    guard: 0s',
    // Both servers share this machine's loopback: each router binds its own server's address.
    '    hosts: [{ host: h2, listen: 127.0.0.2 }, { host: h3, listen: 127.0.0.3 }]',
    '',
  ].join('\n');
}

const released = async (url: string) => (await fetch(url)).headers.get('x-release');

// Real deploys over ssh to two servers: generous bounds, so a loaded 2-core machine does not fail them.
describe.skipIf(unavailable)('two servers over ssh (real sshd on 127.0.0.2 and 127.0.0.3)', { timeout: 300_000 }, () => {
  let hosts: TestHosts;
  let port: number;
  let project: string;
  const url = (address: string) => `http://${address}:${port}/`;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }, { alias: 'h3', address: '127.0.0.3' }]);
    port = await freePort();
    project = makeProject(config(port, 2));
    writeFileSync(join(project, 'server.mjs'), APP);
    writeFileSync(join(project, '.env.staging'), `APP_TOKEN=${SECRET}\n`);
    writeFileSync(join(project, '.gitignore'), '.env.staging\n');
    commit(project, 'one');
  }, 120_000);
  afterAll(() => stopDeploysThenHosts(project, hosts, ['staging']), 300_000);

  it('batch: 2 deploys both servers at once, each router on its own server address', async () => {
    const result = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.hosts).toEqual([
      expect.objectContaining({ host: 'h2', status: 'success' }),
      expect.objectContaining({ host: 'h3', status: 'success', release: summary.release.id }),
    ]);
    // Each server made its own release of the same commit (ids are <time>-<commit>).
    const commitOf = (id: string) => id.split('-').at(-1);
    expect(commitOf(summary.hosts[0].release)).toBe(commitOf(summary.release.id));
    // h3's run started before h2's had moved any traffic: the two ran side by side.
    const lines = result.stderr.split('\n');
    const h3Started = lines.findIndex((line) => /h3: deploy\b/.test(line));
    const h2Switched = lines.findIndex((line) => /h2: traffic on green/.test(line));
    expect(h3Started, result.stderr).toBeGreaterThanOrEqual(0);
    expect(h2Switched, result.stderr).toBeGreaterThan(h3Started);
    expect(await released(url('127.0.0.2'))).toBe(summary.hosts[0].release);
    expect(await released(url('127.0.0.3'))).toBe(summary.hosts[1].release);
  });

  it('one at a time, the second server fails verification: both end on the old release, one summary line per server', async () => {
    const before = { h2: await released(url('127.0.0.2')), h3: await released(url('127.0.0.3')) };
    writeFileSync(join(project, 'deploy.config.yaml'), config(port, 1));
    writeFileSync(join(project, 'VERSION'), 'two\n');
    commit(project, 'two');
    await hosts.hosts[1].exec('touch ~/broken');
    // Traffic on both servers' public ports, so each verification window has requests to judge.
    const loads = [startLoad(url('127.0.0.2'), { concurrency: 2, maxDurationMs: 180_000 }), startLoad(url('127.0.0.3'), { concurrency: 2, maxDurationMs: 180_000 })];
    await Promise.all(loads.map((load) => load.waitFor(10)));
    const result = await runCli(['staging', '--json'], { cwd: project, env: hosts.env });
    const [onH2, onH3] = await Promise.all(loads.map((load) => load.stop()));
    expect(result.code, result.stderr + result.stdout).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.status).toBe('rolled_back');
    expect(summary.hosts).toEqual([
      expect.objectContaining({ host: 'h2', status: 'rolled_back', release: before.h2 }),
      expect.objectContaining({ host: 'h3', status: 'rolled_back', exitCode: 1 }),
    ]);
    expect(summary.message).toMatch(/^h3: /);
    expect(result.stderr).toContain('h3 failed; rolling back 1 host(s) that had deployed');

    // h2 served the new release before h3 failed; both serve the old one now.
    const two = Object.keys(onH2.byRelease).find((release) => release !== before.h2);
    expect(two, JSON.stringify(onH2.byRelease)).toBeDefined();
    expect(onH2.failed, JSON.stringify(onH2.failures.slice(0, 3))).toBe(0);
    expect(onH3.byRelease[before.h3!]).toBeGreaterThan(0);
    expect(await released(url('127.0.0.2'))).toBe(before.h2);
    expect(await released(url('127.0.0.3'))).toBe(before.h3);
    expect(await (await fetch(url('127.0.0.3'))).text()).toBe('one');

    const human = await runCli(['history', 'staging'], { cwd: project, env: hosts.env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('── h2 ──');
    expect(human.stdout).toContain('── h3 ──');
  });

  it("deploy logs reads each server's app log over ssh, secrets hidden by the CLI; --follow streams both until Ctrl-C and leaves nothing running there", async () => {
    for (const address of ['127.0.0.2', '127.0.0.3']) expect((await fetch(`${url(address)}marked`)).status).toBe(200);
    const logs = await runCli(['logs', 'staging', '--lines', '3'], { cwd: project, env: hosts.env });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('h2 | GET /marked token=***');
    expect(logs.stdout).toContain('h3 | GET /marked token=***');
    expect(logs.stdout).not.toContain(SECRET);

    const follower = followCli(['logs', 'staging', '--follow', '--lines', '0'], { cwd: project, env: hosts.env });
    let code: number | null;
    try {
      await follower.requestUntil(`${url('127.0.0.3')}followed`, 'h3 | GET /followed token=***', 60_000);
    } finally {
      code = await follower.interrupt();
    }
    expect(code).toBe(0);
    expect(follower.output()).not.toContain(SECRET);
    // The followers on the hosts saw their connection close and ended.
    const followers = () => hosts.hosts.flatMap((host) => pids(host.user, 'main.js logs staging'));
    await waitFor(() => followers().length === 0, 30_000);
  });
});

function pids(user: string, pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-u', user, '-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
