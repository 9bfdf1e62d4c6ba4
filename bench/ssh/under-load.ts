// Two figures of deploying over SSH (issue 20), on real sshd hosts (127.0.0.2, 127.0.0.3; the tests' harness):
//  A. failed requests during N deploys to one host while a load generator (4 requests in flight, keep-alive) runs
//     against that host's public port (its router bound to 127.0.0.2). Target 0.
//  B. the time from a failure on host 2 (h3, whose new release answers 500 and fails verification) until both
//     hosts serve the old release again: from the CLI's first progress line that reports h3's failure to the first
//     moment both routers answer with the old release (polled every 25 ms).
// Needs root, openssh-server, `npm run build`. Usage: npx vite-node --config bench/ssh/vite-node.config.mjs bench/ssh/under-load.ts [N=10]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeProject, runCli } from '../../tests/cli/helpers.js';
import { startLoad } from '../../tests/helpers/load.js';
import { sshHostsUnavailable, startTestHosts } from '../../tests/helpers/ssh-hosts.js';
import { findFreePort } from '../../src/platforms/local/free-port.js';

const N = Number(process.argv[2] ?? 10);
const why = sshHostsUnavailable();
if (why) throw new Error(why);

const APP = `import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
const version = existsSync('VERSION') ? readFileSync('VERSION', 'utf8').trim() : '0';
const broken = existsSync('BREAK') && existsSync(homedir() + '/broken');
createServer((req, res) => {
  res.setHeader('x-release', process.env.RELEASE_ID ?? 'none');
  res.statusCode = broken && req.url !== '/health' ? 500 : 200;
  res.end(version);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
const load = () => loadavg().map((n) => n.toFixed(1)).join(' ');
const commit = (dir: string, message: string) => {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', message], { cwd: dir });
};
const released = async (url: string) => (await fetch(url).catch(() => null))?.headers.get('x-release') ?? null;

const hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }, { alias: 'h3', address: '127.0.0.3' }]);
const [onePort, pairPort] = [await findFreePort(), await findFreePort()];
const project = makeProject(
  [
    'app: bench',
    'start: node server.mjs',
    'tests: false',
    'migrations: none',
    'health: { path: /health }',
    'verify: { smoke: ["GET /health"], window: 3s, minRequests: 5 }',
    'keepWarm: 1m',
    'guard: 0s',
    'environments:',
    `  one: { port: ${onePort}, hosts: [{ host: h2, listen: 127.0.0.2 }] }`,
    `  pair: { port: ${pairPort}, hosts: [{ host: h2, listen: 127.0.0.2 }, { host: h3, listen: 127.0.0.3 }] }`,
    '',
  ].join('\n'),
  { 'server.mjs': APP },
);
const env = hosts.env;
try {
  // A. N deploys to one host under load.
  const first = await runCli(['one'], { cwd: project, env });
  if (first.code !== 0) throw new Error(`first deploy failed:\n${first.stderr}`);
  const oneUrl = `http://127.0.0.2:${onePort}/`;
  const traffic = startLoad(oneUrl, { concurrency: 4, maxDurationMs: 30 * 60_000 });
  await traffic.waitFor(20);
  const loadBefore = load();
  const codes: number[] = [];
  const times: number[] = [];
  for (let i = 1; i <= N; i++) {
    writeFileSync(join(project, 'VERSION'), `${i}\n`);
    commit(project, `v${i}`);
    const run = await runCli(['one'], { cwd: project, env });
    codes.push(run.code ?? -1);
    times.push(run.ms);
    console.log(`A deploy ${i}: exit ${run.code}, ${run.ms} ms, requests so far ${traffic.snapshot().total}, failed ${traffic.snapshot().failed}`);
  }
  const a = await traffic.stop();
  console.log(`A: ${N} deploys (exit codes ${codes.join(',')}), ${a.total} requests, ${a.failed} failed, ${Object.keys(a.byRelease).length} releases served; load before ${loadBefore}, after ${load()}`);
  for (const f of a.failures.slice(0, 5)) console.log(`  failure: ${JSON.stringify(f)}`);

  // B. Two hosts; the second fails verification; time until both serve the old release again.
  const base = await runCli(['pair', '--json'], { cwd: project, env });
  if (base.code !== 0) throw new Error(`pair deploy failed:\n${base.stderr}`);
  const urls = [`http://127.0.0.2:${pairPort}/`, `http://127.0.0.3:${pairPort}/`];
  const old = await Promise.all(urls.map(released));
  await hosts.hosts[1].exec('touch ~/broken');
  writeFileSync(join(project, 'BREAK'), '');
  commit(project, 'bad on h3');
  const loads = urls.map((url) => startLoad(url, { concurrency: 2, maxDurationMs: 10 * 60_000 }));
  const lines: Array<{ at: number; line: string }> = [];
  let seen = 0;
  let failedAt: number | null = null;
  let restoredAt: number | null = null;
  const poller = (async () => {
    while (restoredAt === null) {
      const now = await Promise.all(urls.map(released));
      if (failedAt !== null && now[0] === old[0] && now[1] === old[1]) restoredAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const loadB = load();
  const run = await runCli(['pair', '--json'], {
    cwd: project,
    env,
    onStderr: (text) => {
      const now = performance.now();
      for (const line of text.slice(seen).split('\n').filter(Boolean)) {
        lines.push({ at: now, line });
        if (failedAt === null && /^.*h3: .*(fail|switching back|rolled back)/i.test(line)) failedAt = now;
      }
      seen = text.lastIndexOf('\n') + 1;
    },
  });
  const ended = performance.now();
  await Promise.race([poller, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await Promise.all(loads.map((l) => l.stop()));
  const t0 = lines[0]?.at ?? 0;
  for (const { at, line } of lines.filter((l) => /h3|h2:.*(rollback|rolled|switch)/i.test(l.line))) console.log(`B +${Math.round(at - t0)} ms ${line}`);
  console.log(
    `B: exit ${run.code}; failure seen at +${failedAt === null ? '?' : Math.round(failedAt - t0)} ms, both hosts on the old release ${restoredAt === null || failedAt === null ? 'NOT within 30 s' : `${Math.round(restoredAt - failedAt)} ms later`} (CLI returned ${failedAt === null ? '?' : Math.round(ended - failedAt)} ms after the failure); load ${loadB} before, ${load()} after`,
  );
} finally {
  for (const environment of ['one', 'pair']) await runCli(['stop', environment, '--yes'], { cwd: project, env });
  await hosts.stop();
}
