#!/usr/bin/env node
// Post-deploy guard figure (issue 12): time from the live release starting to fail to traffic back on the previous
// release, under the DEFAULT guard settings (verify window 30s, minRequests 200, error rate 1%, tick 1s, z 3.09)
// with steady load. Target: within one analysis window + 100 ms.
// Usage: node bench/guard/guard-rollback.mjs [--trials 3] [--rps 50]     (after npm run build)
// Each trial: deploy a good release (30s verification), let the guard watch it for --settle seconds under load,
// flip a run-time knob so the live release answers 500, and time it from the load generator's side.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/src/cli/main.js');
const { values } = parseArgs({ options: { trials: { type: 'string', default: '3' }, rps: { type: 'string', default: '50' }, settle: { type: 'string', default: '10' } } });
const trials = Number(values.trials);
const rps = Number(values.rps);
if (!existsSync(cli)) throw new Error('run npm run build first');

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=bench', ...args], { cwd, encoding: 'utf8' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'shipgate-guard-bench-'));
const failFile = join(dir, 'failing-releases');
copyFileSync(join(root, 'tests/guard/fixtures/app.mjs'), join(dir, 'app.mjs'));
writeFileSync(join(dir, 'package.json'), '{ "name": "guard-bench", "version": "1.0.0", "type": "module" }\n');
writeFileSync(join(dir, '.gitignore'), '.deploy/\nfailing-releases\n');
writeFileSync(join(dir, '.env.staging'), `FAIL_FILE=${failFile}\n`);
const port = await freePort();
// No verify/guard settings: the bundle's defaults apply (window 30s, minRequests 200, 1%, 500ms; guard 5m on staging).
writeFileSync(join(dir, 'deploy.config.yaml'), `app: guardbench
start: node app.mjs
health: { path: /health, interval: 100ms, timeout: 10s }
tests: false
migrations: none
env: { files: [".env.\${environment}"] }
verify: { smoke: ["GET /"] }
drainTimeout: 1s
environments: { staging: { port: ${port} } }
`);
git(dir, 'init', '-q');
git(dir, 'add', '.');
git(dir, 'commit', '-qm', 'bench');

function deploy() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'staging', '--yes', '--json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, summary: JSON.parse(out || '{}') }));
  });
}

// Steady open-loop load: one request every 1000/rps ms, each recorded with its answer time, status and release.
const agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
const records = [];
let loading = true;
const load = (async () => {
  const every = 1000 / rps;
  let next = performance.now();
  const inflight = new Set();
  while (loading) {
    const p = request(`http://127.0.0.1:${port}/`, { dispatcher: agent })
      .then(async (res) => { await res.body.dump(); records.push({ at: Date.now(), status: res.statusCode, release: res.headers['x-release'] }); })
      .catch(() => records.push({ at: Date.now(), status: 0, release: null }))
      .finally(() => inflight.delete(p));
    inflight.add(p);
    next += every;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.allSettled([...inflight]);
})();

const results = [];
try {
  const first = await deploy();
  if (first.code !== 0) throw new Error(`first deploy failed: ${JSON.stringify(first.summary.message)}`);
  for (let t = 1; t <= trials; t++) {
    const run = await deploy();
    if (run.code !== 0) throw new Error(`deploy ${t} failed: ${run.summary.message}`);
    const green = run.summary.release.id;
    const blue = JSON.parse(execFileSync('cat', [join(dir, '.deploy/staging/state.json')], { encoding: 'utf8' })).previous.release;
    await sleep(Number(values.settle) * 1000);
    const flippedAt = Date.now();
    writeFileSync(failFile, green + '\n');
    const deadline = Date.now() + 120_000;
    let firstFail = null;
    let backAt = null;
    while (Date.now() < deadline && backAt === null) {
      await sleep(20);
      firstFail ??= records.find((r) => r.at >= flippedAt && r.status === 500 && r.release === green)?.at ?? null;
      if (firstFail !== null) backAt = records.find((r) => r.at > firstFail && r.release === blue)?.at ?? null;
    }
    if (backAt === null) throw new Error(`trial ${t}: traffic did not go back to ${blue} within 120s`);
    await sleep(1000);
    const afterBack = records.filter((r) => r.at > backAt + 200);
    const strays = records.filter((r) => r.at > backAt + 200 && r.release !== blue).length;
    const failed = records.filter((r) => r.at >= firstFail && r.at <= backAt && r.status >= 500).length;
    results.push({ trial: t, flipToFirst500Ms: firstFail - flippedAt, first500ToBackMs: backAt - firstFail, failedRequests: failed, strayAfterBack: strays, checked: afterBack.length });
    console.log(JSON.stringify(results.at(-1)));
    writeFileSync(failFile, '');
  }
} finally {
  loading = false;
  await load;
  await agent.close();
  try { execFileSync(process.execPath, [cli, 'stop', 'staging', '--yes'], { cwd: dir, stdio: 'ignore' }); } catch {}
  rmSync(dir, { recursive: true, force: true });
}
const times = results.map((r) => r.first500ToBackMs).sort((a, b) => a - b);
console.log(JSON.stringify({ rps, trials: results.length, first500ToBackMs: { min: times[0], median: times[Math.floor(times.length / 2)], max: times.at(-1) }, targetMs: 30_100 }));
