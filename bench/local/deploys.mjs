#!/usr/bin/env node
// Local platform figures, measured with the real CLI on a copy of examples/webapp:
//   1. orchestration overhead per deploy: total - tests - build - app start - watch window (target <= 1 s),
//      over consecutive good deploys with no synthetic load (the load generator would compete for the same cores)
//   2. failed requests across N consecutive good deploys under continuous load (target 0); the overhead of
//      these deploys is reported too, as overheadUnderLoad
//   3. rollback time: failure decision -> every new request served by blue (target <= 100 ms)
// Usage: node bench/local/deploys.mjs [--deploys 10] [--window 3000] [--concurrency 8] [--overhead-only]
// Needs: npm run build, and examples/webapp/node_modules (npm ci there).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/bin/deploy.js');
const example = join(root, 'examples/webapp');
const { values } = parseArgs({
  options: { deploys: { type: 'string', default: '10' }, window: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '8' }, 'overhead-only': { type: 'boolean', default: false } },
});
const deploys = Number(values.deploys);
const windowMs = Number(values.window);
const concurrency = Number(values.concurrency);
if (!existsSync(cli)) throw new Error('run npm run build first');
if (!existsSync(join(example, 'node_modules/better-sqlite3'))) throw new Error('run npm ci in examples/webapp first');

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=bench', ...args], { cwd, encoding: 'utf8' });

const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
for (const name of ['server.js', 'lib', 'migrations', 'test', 'package.json', 'package-lock.json']) cpSync(join(example, name), join(dir, name), { recursive: true });
mkdirSync(join(dir, 'data'));
symlinkSync(join(example, 'node_modules'), join(dir, 'node_modules'));
writeFileSync(join(dir, '.gitignore'), 'node_modules\n.deploy/\ndata/\n');
writeFileSync(join(dir, '.env.staging'), 'DATABASE_URL=sqlite:data/staging.db\n');
writeFileSync(join(dir, 'knobs.json'), '{}\n');
const port = await freePort();
writeFileSync(join(dir, 'deploy.config.yaml'), `app: webapp
dependencies: shared
start: node server.js
health: { path: /health, interval: 100ms, timeout: 10s }
tests: false
migrations: { tool: sql, dir: migrations, table: schema_migrations, database: "\${DATABASE_URL}" }
env: { required: [DATABASE_URL], files: [".env.\${environment}"] }
verify: { smoke: ["GET /", { path: /api/items, status: 200 }], window: ${windowMs}ms, minRequests: 50, database: health }
keepWarm: 10m
drainTimeout: 2s
environments: { staging: { port: ${port} } }
`);
git(dir, 'init', '-q');
git(dir, 'add', '.');
git(dir, 'commit', '-qm', 'bench');

/** Runs the CLI; every stderr line is stamped when it arrives. */
function deploy(...args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, ...(args.length ? args : ['staging']), '--yes'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    const lines = [];
    let buffer = '';
    child.stderr.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) { lines.push({ at: Date.now(), text: buffer.slice(0, i) }); buffer = buffer.slice(i + 1); }
    });
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, started, ended: Date.now(), lines }));
  });
}
const lineAt = (run, re) => run.lines.find((l) => re.test(l.text));

function startLoad() {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const records = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const sentAt = Date.now();
      try {
        const res = await request(`http://127.0.0.1:${port}/`, { dispatcher: agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
        await res.body.dump();
        records.push({ sentAt, endedAt: Date.now(), status: res.statusCode, release: res.headers['x-release'] ?? null });
      } catch (error) {
        records.push({ sentAt, endedAt: Date.now(), status: null, release: null, error: error.code ?? error.message });
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return { records, stop: async () => { running = false; await Promise.all(workers); await agent.close(); return records; } };
}

class Done extends Error {}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One good deploy (an empty commit), timed from the progress lines as they arrive. */
async function measuredDeploy(message) {
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  const loadAverage = loadavg()[0];
  const run = await deploy();
  if (run.code !== 0) console.error(`deploy "${message}" exited ${run.code}:\n${run.lines.map((l) => l.text).join('\n')}`);
  const health = lineAt(run, /^health ✓ green healthy after (\d+) ms/);
  const switched = lineAt(run, /^switch ✓/);
  const verified = lineAt(run, /^verify ✓/);
  const total = run.ended - run.started;
  // App start is green's own health wait as the orchestrator measured it; tests and build are off here (0 ms).
  const appStartMs = health ? Number(/after (\d+) ms/.exec(health.text)[1]) : NaN;
  const verifyMs = switched && verified ? verified.at - switched.at : NaN;
  const at = (re) => lineAt(run, re)?.at ?? NaN;
  const phases = {
    cliStart: at(/^pre-checks …/) - run.started,
    preChecks: at(/^pre-checks ✓ pre-checks passed/) - at(/^pre-checks …/),
    release: at(/^release ✓/) - at(/^pre-checks ✓ pre-checks passed/),
    migrationsAndStart: at(/^start …/) - at(/^release ✓/),
    health: at(/^health ✓/) - at(/^start …/),
    smoke: at(/^smoke ✓/) - at(/^health ✓/),
    switch: at(/^switch ✓/) - at(/^smoke ✓/),
    verify: at(/^verify ✓/) - at(/^switch ✓/),
    finish: run.ended - at(/^verify ✓/),
  };
  return { code: run.code, loadAverage, totalMs: total, appStartMs, verifyMs, overheadMs: total - appStartMs - windowMs, overheadExactMs: total - appStartMs - verifyMs, phases };
}

/** Medians over the deploys that succeeded (a rolled-back deploy has no comparable timeline). */
function summarize(all) {
  const runs = all.filter((r) => r.code === 0);
  if (runs.length === 0) return { deploys: all.length, succeeded: 0 };
  return {
    deploys: all.length,
    succeeded: runs.length,
    totalMsMedian: median(runs.map((r) => r.totalMs)),
    appStartMsMedian: median(runs.map((r) => r.appStartMs)),
    overheadMsMedian: median(runs.map((r) => r.overheadMs)),
    overheadMsMin: Math.min(...runs.map((r) => r.overheadMs)),
    overheadMsMax: Math.max(...runs.map((r) => r.overheadMs)),
    overheadVsMeasuredVerifyMsMedian: median(runs.map((r) => r.overheadExactMs)),
    phasesMsMedian: Object.fromEntries(Object.keys(runs[0].phases).map((k) => [k, median(runs.map((r) => r.phases[k]))])),
    loadAverages: runs.map((r) => Number(r.loadAverage.toFixed(1))),
  };
}

const report = { machine: { cores: (await import('node:os')).cpus().length, load: (await import('node:os')).loadavg().map((n) => n.toFixed(1)) }, windowMs };
try {
  const first = await deploy();
  if (first.code !== 0) throw new Error(`first deploy exited ${first.code}: ${first.lines.map((l) => l.text).join('\n')}`);

  const overheadRuns = [];
  for (let i = 0; i < deploys; i++) overheadRuns.push(await measuredDeploy(`quiet ${i}`));
  report.overhead = summarize(overheadRuns);
  if (values['overhead-only']) throw new Done();

  const load = startLoad();
  const runs = [];
  for (let i = 0; i < deploys; i++) runs.push(await measuredDeploy(`good ${i}`));
  const records = await load.stop();
  const failed = records.filter((r) => r.status === null || r.status >= 300);
  const { overheadMsMedian, overheadMsMax, phasesMsMedian, loadAverages } = summarize(runs);
  report.goodDeploys = {
    deploys,
    exitCodes: runs.map((r) => r.code),
    requests: records.length,
    failedRequests: failed.length,
    failures: failed.slice(0, 5),
    overheadUnderLoad: { overheadMsMedian, overheadMsMax, phasesMsMedian, loadAverages },
  };

  // Rollback: a release answering 5% with 500s, under load.
  writeFileSync(join(dir, 'knobs.json'), '{ "errorRate": 0.05 }\n');
  git(dir, 'commit', '-qam', 'bad release');
  const blue = (await (await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-release'));
  const load2 = startLoad();
  await new Promise((r) => setTimeout(r, 500));
  const bad = await deploy('staging', '--verbose');
  await new Promise((r) => setTimeout(r, 500));
  const records2 = await load2.stop();
  const decision = lineAt(bad, /^verify ✗/);
  const back = lineAt(bad, /^rollback ✓ traffic back on \S+ in ([\d.]+) ms/);
  const green = [...new Set(records2.map((r) => r.release))].find((id) => id && id !== blue);
  const lastGreenSent = Math.max(...records2.filter((r) => r.release === green).map((r) => r.sentAt));
  const decidedAt = Number(/rollback decided at (\d+)/.exec(lineAt(bad, /rollback decided at/)?.text ?? '')?.[1]);
  const switchedAt = Number(/router switched back at (\d+)/.exec(lineAt(bad, /router switched back at/)?.text ?? '')?.[1]);
  const blueAfterDecision = records2.filter((r) => r.release === blue && r.sentAt >= decidedAt).map((r) => r.sentAt);
  const firstBlueAfter = Math.min(...records2.filter((r) => r.release === blue && r.sentAt > (decision?.at ?? 0)).map((r) => r.sentAt));
  report.rollback = {
    exitCode: bad.code,
    decisionLine: decision?.text,
    switchCallMs: back ? Number(/in ([\d.]+) ms/.exec(back.text)[1]) : null,
    // Decision as seen by the parent (progress line), so this includes the child->parent IPC hop.
    lastGreenRequestSentAfterDecisionMs: decision ? lastGreenSent - decision.at : null,
    firstBlueRequestSentAfterDecisionMs: decision ? firstBlueAfter - decision.at : null,
    // Wall clock of the orchestrator itself (--verbose marks): the decision, the router's answer, and what the load saw.
    decisionToSwitchConfirmedMs: switchedAt - decidedAt,
    decisionToLastRequestSentToGreenMs: lastGreenSent - decidedAt,
    decisionToFirstRequestOnBlueMs: blueAfterDecision.length ? Math.min(...blueAfterDecision) - decidedAt : null,
    greenFailedRequests: records2.filter((r) => r.release === green && r.status >= 500).length,
    otherFailedRequests: records2.filter((r) => r.release !== green && (r.status === null || r.status >= 300)).length,
  };
} catch (error) {
  if (!(error instanceof Done)) throw error;
} finally {
  await deploy('stop', 'staging');
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
