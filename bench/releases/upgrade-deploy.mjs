#!/usr/bin/env node
// Deploy time of the json-server 0.17.3 -> 0.17.4 upgrade (issue 18), before this issue and now, with the real CLI.
//
// "Before" is shipgate at ecf1880, the last main commit before issue 18's work (7499e27): releases lived under
// .deploy/<env>/releases and resolved the project's own node_modules by walking up. It had two ways to upgrade:
//   before-walkup : the user runs `npm ci --omit=dev` in the project, then deploys (the deploy installs nothing,
//                   and a rollback keeps running 0.17.4: not the same guarantee, timed separately);
//   before-build  : `build: npm ci --omit=dev` (what its docs advised when dependencies change): every release
//                   installs, also with an unchanged lockfile.
// "Now" is this worktree's dist/ with the default `dependencies: release`:
//   now-new       : the 0.17.4 lockfile is new to the dependency cache (empty cache at the start of each run);
//   now-cached    : the 0.17.4 tree is in the cache already (e.g. staging installed it; production reuses it).
// Each scenario deploys 0.17.3, then the upgrade (timed), then a commit that keeps the lockfile (timed). The
// scenarios alternate within each run, and their order rotates between runs; the load average is printed.
//
// Usage: node bench/releases/upgrade-deploy.mjs [--runs 3] [--before <dir>]
//   <dir>: a built checkout of ecf1880; without it the script makes one in a temp folder (git archive, this
//   worktree's node_modules linked, npm run build: about 2 minutes). Needs `npm run build` here and the npm registry.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const BEFORE_COMMIT = 'ecf1880';
const root = new URL('../..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, before: { type: 'string' } } });
const runs = Number(values.runs);
const nowCli = join(root, 'dist/src/cli/main.js');
const beforeCli = join(values.before ?? buildBefore(), 'dist/src/cli/main.js');

function buildBefore() {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-before-'));
  execFileSync('sh', ['-c', `git archive ${BEFORE_COMMIT} | tar -x -C "${dir}"`], { cwd: root, stdio: 'inherit' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((l) => Number(l.toFixed(1)));
const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], { cwd, stdio: 'ignore' });
const timed = (fn) => { const t = performance.now(); fn(); return Math.round(performance.now() - t); };

function lockfile(spec) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lock-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--save-exact', spec], { cwd: dir, stdio: 'ignore' });
  return dir;
}
const v173 = lockfile('json-server@0.17.3');
const v174 = lockfile('json-server@0.17.4');
const useLock = (dir, from) => { for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(from, name), join(dir, name)); };
const npmCi = (dir) => { const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--omit=dev'], { cwd: dir, stdio: 'ignore' }); if (r.status !== 0) throw new Error('npm ci failed'); };
// Warms npm's own cache with both trees, so no scenario pays for the first download.
for (const lock of [v173, v174]) { const d = mkdtempSync(join(tmpdir(), 'bench-warm-')); useLock(d, lock); npmCi(d); rmSync(d, { recursive: true, force: true }); }

const SERVER = "const j=require('json-server');const s=j.create();s.use(j.defaults({logger:false}));s.get('/version',(q,r)=>r.json({v:require('json-server/package.json').version}));s.use(j.router('db.json'));s.listen(Number(process.env.PORT),'127.0.0.1');\n";

const scenarios = {
  'before-walkup': { cli: beforeCli, extra: '', projectInstall: true },
  'before-build': { cli: beforeCli, extra: 'build: npm ci --omit=dev --no-audit --no-fund', projectInstall: false },
  'now-new': { cli: nowCli, extra: '', projectInstall: false, freshCache: true },
  'now-cached': { cli: nowCli, extra: '', projectInstall: false },
};

async function scenario(name, stateHome) {
  const s = scenarios[name];
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  useLock(dir, v173);
  const port = await freePort();
  writeFileSync(join(dir, 'server.js'), SERVER);
  writeFileSync(join(dir, 'db.json'), '{"posts":[]}');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.deploy\n');
  // Valid for both versions: no persist/dependencies keys (new in issue 18), tests: false on the environment.
  writeFileSync(join(dir, 'deploy.config.yaml'), `app: bench\nstart: node server.js\n${s.extra}\nhealth: { path: /version, interval: 100ms, timeout: 60s }\nmigrations: none\nverify: { smoke: ["GET /posts"], window: 1s, minRequests: 0, p95: 5s }\nenvironments:\n  staging: { port: ${port}, tests: false }\n`);
  git(dir, 'init', '-q'); git(dir, 'add', '-A'); git(dir, 'commit', '-qm', 'a');
  const env = { ...process.env, XDG_STATE_HOME: stateHome, NO_COLOR: '1' };
  const deploy = () => { const r = spawnSync(process.execPath, [s.cli, 'staging', '--yes', '--json'], { cwd: dir, env, encoding: 'utf8' }); if (r.status !== 0) throw new Error(`${name}: deploy failed (${r.status}): ${r.stdout.slice(0, 400)} ${r.stderr.slice(-400)}`); };
  const version = async () => (await (await fetch(`http://127.0.0.1:${port}/version`)).json()).v;
  try {
    if (s.projectInstall) npmCi(dir);
    deploy();
    if ((await version()) !== '0.17.3') throw new Error(`${name}: 0.17.3 expected`);
    useLock(dir, v174);
    git(dir, 'commit', '-qam', 'upgrade');
    const projectNpmCiMs = s.projectInstall ? timed(() => npmCi(dir)) : null;
    const upgradeMs = timed(deploy);
    if ((await version()) !== '0.17.4') throw new Error(`${name}: 0.17.4 expected after the upgrade`);
    writeFileSync(join(dir, 'README.md'), 'same lockfile\n');
    git(dir, 'add', '-A'); git(dir, 'commit', '-qm', 'same lockfile');
    const sameLockMs = timed(deploy);
    return { upgradeMs, projectNpmCiMs, sameLockMs };
  } finally {
    spawnSync(process.execPath, [s.cli, 'stop', 'staging', '--yes'], { cwd: dir, env });
    rmSync(dir, { recursive: true, force: true });
  }
}

const names = Object.keys(scenarios);
const results = Object.fromEntries(names.map((n) => [n, []]));
const loads = [load()];
for (let run = 0; run < runs; run++) {
  // now-cached needs the 0.17.4 tree in this run's cache: it always follows now-new, both rotate with the rest.
  const order = ['before-walkup', 'before-build', 'now'];
  for (let i = 0; i < run % order.length; i++) order.push(order.shift());
  const stateHome = mkdtempSync(join(tmpdir(), 'bench-state-'));
  for (const step of order) {
    for (const name of step === 'now' ? ['now-new', 'now-cached'] : [step]) {
      results[name].push(await scenario(name, stateHome));
      loads.push(load());
    }
  }
  rmSync(stateHome, { recursive: true, force: true });
}

const summary = Object.fromEntries(names.map((n) => {
  const rs = results[n];
  const m = { upgradeMs: median(rs.map((r) => r.upgradeMs)), sameLockMs: median(rs.map((r) => r.sameLockMs)) };
  if (rs[0].projectNpmCiMs !== null) m.projectNpmCiMs = median(rs.map((r) => r.projectNpmCiMs));
  return [n, { ...m, runs: rs }];
}));
console.log(JSON.stringify({ when: new Date().toISOString(), beforeCommit: BEFORE_COMMIT, runs, loadavg: loads, scenarios: summary }, null, 2));
