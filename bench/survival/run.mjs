#!/usr/bin/env node
// Survival figures (issue 19), with the real CLI, keeper, runtime and app processes:
//   1. runtime kill under load: refused connections, failed requests, time from the SIGKILL to the first request sent
//      after it that is served (target 0 refused, <= 1 s)
//   2. app kill: time from the SIGKILL of the active app to the first request sent after it that is served (<= 2 s)
//   3. simulated reboot: every process of the environment killed, then time from starting `deploy resume --all` to
//      the first served request (<= 5 s)
// Usage: node bench/survival/run.mjs [--rounds 5] [--concurrency 8]   (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { connectRouter } from '../../dist/src/router/client.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/bin/deploy.js');
if (!existsSync(cli)) throw new Error('run npm run build first');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '8' } } });
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=bench', ...args], { cwd, encoding: 'utf8' });
const runCli = (dir, ...args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });

const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-survival-'));
const stateDir = join(dir, '.deploy', 'staging');
const port = await freePort();
const url = `http://127.0.0.1:${port}/`;
copyFileSync(join(root, 'tests/platforms/local/fixtures/tiny-app.mjs'), join(dir, 'server.mjs'));
writeFileSync(join(dir, '.gitignore'), '.deploy/\n');
writeFileSync(
  join(dir, 'deploy.config.yaml'),
  `app: tiny
start: node server.mjs
health: { path: /, interval: 50ms, timeout: 10s }
tests: false
migrations: none
verify: { smoke: ["GET /"], window: 300ms, minRequests: 0 }
guard: 0s
drainTimeout: 500ms
environments: { staging: { port: ${port} } }
`,
);
git(dir, 'init', '-q');
git(dir, 'add', '.');
git(dir, 'commit', '-qm', 'bench');
const first = await runCli(dir, 'staging', '--yes');
if (first.code !== 0) throw new Error(`deploy failed: ${first.out}`);

async function call(method) {
  const client = await connectRouter(stateDir, { callTimeoutMs: 2_000 }).catch(() => null);
  if (!client) return null;
  try {
    return await client.call(method);
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** Keep-alive load: every request's start, end, status and error code. */
function load() {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const records = [];
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const startedAt = performance.now();
      try {
        const response = await request(url, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
        await response.body.dump();
        records.push({ startedAt, endedAt: performance.now(), status: response.statusCode, error: null });
      } catch (error) {
        records.push({ startedAt, endedAt: performance.now(), status: null, error: error.code ?? error.message });
        // A refused connection comes back at once; do not spin.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    records,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      await agent.close();
    },
  };
}

/** First request sent after `at` that got a 2xx: when it was answered, relative to `at`. */
function servedAgainMs(records, at) {
  const served = records.filter((r) => r.startedAt >= at && r.status >= 200 && r.status < 300).sort((a, b) => a.endedAt - b.endedAt)[0];
  return served ? Math.round(served.endedAt - at) : null;
}

const until = async (check, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runtimeKills = [];
for (let i = 0; i < rounds; i++) {
  const before = await call('runtime.info');
  const traffic = load();
  await settle();
  const at = performance.now();
  process.kill(before.pid, 'SIGKILL');
  await until(async () => traffic.records.some((r) => r.startedAt >= at && r.status === 200));
  await settle();
  await traffic.stop();
  const after = traffic.records.filter((r) => r.endedAt >= at);
  runtimeKills.push({
    refused: after.filter((r) => r.error === 'ECONNREFUSED').length,
    failed: after.filter((r) => r.status !== 200).length,
    servedAgainMs: servedAgainMs(traffic.records, at),
    requests: traffic.records.length,
  });
  await until(async () => (await call('runtime.info'))?.pid !== before.pid);
}

const appKills = [];
for (let i = 0; i < rounds; i++) {
  const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
  const app = (await call('apps.list')).find((a) => a.id === state.active.release);
  const traffic = load();
  await settle();
  const at = performance.now();
  process.kill(app.pid, 'SIGKILL');
  await until(async () => traffic.records.some((r) => r.startedAt >= at && r.status === 200));
  await settle();
  await traffic.stop();
  appKills.push({ failed: traffic.records.filter((r) => r.endedAt >= at && r.status !== 200).length, servedAgainMs: servedAgainMs(traffic.records, at) });
}

const reboots = [];
for (let i = 0; i < Math.min(rounds, 3); i++) {
  const info = await call('runtime.info');
  const pids = [info.keeperPid, info.pid, ...(await call('apps.list')).map((a) => a.pid).filter(Boolean)];
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  await until(() => pids.every((pid) => { try { process.kill(pid, 0); return false; } catch { return true; } }));
  const at = performance.now();
  const resume = runCli(dir, 'resume', '--all');
  let firstServedMs = null;
  await until(async () => {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) firstServedMs = Math.round(performance.now() - at);
      return response.ok;
    } catch {
      return false;
    }
  });
  const done = await resume;
  reboots.push({ firstServedMs, resumeExit: done.code, resumeMs: Math.round(performance.now() - at) });
}

const stop = await runCli(dir, 'stop', 'staging', '--yes');
rmSync(dir, { recursive: true, force: true });
const report = {
  when: new Date().toISOString(),
  loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  concurrency,
  runtimeKill: {
    rounds: runtimeKills,
    refusedTotal: runtimeKills.reduce((n, r) => n + r.refused, 0),
    failedMax: Math.max(...runtimeKills.map((r) => r.failed)),
    servedAgainMedianMs: median(runtimeKills.map((r) => r.servedAgainMs)),
    servedAgainMaxMs: Math.max(...runtimeKills.map((r) => r.servedAgainMs)),
  },
  appKill: { rounds: appKills, servedAgainMedianMs: median(appKills.map((r) => r.servedAgainMs)), servedAgainMaxMs: Math.max(...appKills.map((r) => r.servedAgainMs)) },
  reboot: { rounds: reboots, firstServedMedianMs: median(reboots.map((r) => r.firstServedMs)), firstServedMaxMs: Math.max(...reboots.map((r) => r.firstServedMs)) },
  stopExit: stop.code,
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
