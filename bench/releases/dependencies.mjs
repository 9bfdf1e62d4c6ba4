#!/usr/bin/env node
// Per-release dependencies (issue 18), measured with json-server from the npm registry:
//   1. dependency time of a deploy with an unchanged lockfile (cache hit: hard links only; target <= 1 s)
//   2. dependency time with a changed lockfile (install into the cache + links), next to npm's own
//      `npm ci --omit=dev` of the same lockfile with the same warm npm cache (target <= npm + 10%)
//   3. deploy time of the json-server 0.17.3 -> 0.17.4 upgrade with the real CLI: before this issue a release
//      needed `build: npm ci --omit=dev` to get its own dependencies (docs said so); after, the default cache
//      (the cold key installs once, the same upgrade deployed again to a second environment hits the cache)
// Usage: node bench/releases/dependencies.mjs [--runs 3]   (after npm run build; needs the npm registry)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/src/cli/main.js');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const { installDependencies } = await import(join(root, 'dist/src/releases/dependency-cache.js'));
const { createExecutor } = await import(join(root, 'dist/src/exec/executor.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });

function lockfile(spec) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-lock-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--save-exact', spec], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function releaseFrom(lock) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-release-'));
  for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(lock, name), join(dir, name));
  mkdirSync(join(dir, '.shipgate'));
  return dir;
}

async function dependencyTime(lock, cacheRoot) {
  const releaseDir = releaseFrom(lock);
  const started = performance.now();
  const result = await installDependencies({ releaseDir, cacheRoot, executor: createExecutor(), production: true, env: { ...process.env }, logFile: join(releaseDir, '.shipgate/install.log') });
  const ms = Math.round(performance.now() - started);
  rmSync(releaseDir, { recursive: true, force: true });
  return { ms, source: result.source };
}

function npmOwn(lock) {
  const dir = releaseFrom(lock);
  const started = performance.now();
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--omit=dev'], { cwd: dir, stdio: 'ignore' });
  const ms = Math.round(performance.now() - started);
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error('npm ci failed');
  return ms;
}

const v173 = lockfile('json-server@0.17.3');
const v174 = lockfile('json-server@0.17.4');
npmOwn(v173); // warms npm's own cache for both sides
npmOwn(v174);

const report = { when: new Date().toISOString(), loadavg: loadavg().map((l) => l.toFixed(1)), runs, unchangedMs: [], changedMs: [], npmCiMs: [] };
for (let i = 0; i < runs; i++) {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  report.npmCiMs.push(npmOwn(v174));
  const cold = await dependencyTime(v174, cacheRoot);
  if (cold.source !== 'installed') throw new Error('expected an install');
  report.changedMs.push(cold.ms);
  const warm = await dependencyTime(v174, cacheRoot);
  if (warm.source !== 'cache') throw new Error('expected a cache hit');
  report.unchangedMs.push(warm.ms);
  rmSync(cacheRoot, { recursive: true, force: true });
}
report.median = { unchangedMs: median(report.unchangedMs), changedMs: median(report.changedMs), npmCiMs: median(report.npmCiMs) };
report.median.changedOverNpm = `${(((report.median.changedMs / report.median.npmCiMs) - 1) * 100).toFixed(1)}%`;

// Deploy time of the upgrade, real CLI.
const SERVER = "const j=require('json-server');const s=j.create();s.use(j.defaults({logger:false}));s.get('/version',(q,r)=>r.json({v:require('json-server/package.json').version}));s.use(j.router('db.json'));s.listen(Number(process.env.PORT),'127.0.0.1');\n";
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', ...args], { cwd, stdio: 'ignore' });
async function upgradeDeploy(extra, stateHome) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-upgrade-'));
  for (const name of ['package.json', 'package-lock.json']) copyFileSync(join(v173, name), join(dir, name));
  const port = await freePort();
  writeFileSync(join(dir, 'server.js'), SERVER);
  writeFileSync(join(dir, 'db.json'), '{"posts":[]}');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  writeFileSync(join(dir, 'deploy.config.yaml'), `app: bench\nstart: node server.js\n${extra}\nhealth: { path: /version, interval: 100ms, timeout: 30s }\ntests: false\nmigrations: none\npersist: [db.json]\nverify: { smoke: ["GET /posts"], window: 1s, minRequests: 10, p95: 2s, onInconclusive: promote }\nenvironments:\n  staging: { port: ${port} }\n`);
  git(dir, 'init', '-q'); git(dir, 'add', '-A'); git(dir, 'commit', '-qm', 'a');
  const env = { ...process.env, XDG_STATE_HOME: stateHome, NO_COLOR: '1' };
  const deploy = () => { const t = performance.now(); const r = spawnSync(process.execPath, [cli, 'staging', '--yes', '--json'], { cwd: dir, env }); if (r.status !== 0) throw new Error(`deploy failed: ${r.stdout}`); return Math.round(performance.now() - t); };
  deploy();
  for (const name of ['package.json', 'package-lock.json']) writeFileSync(join(dir, name), readFileSync(join(v174, name)));
  git(dir, 'commit', '-qam', 'upgrade');
  const ms = deploy();
  spawnSync(process.execPath, [cli, 'stop', 'staging', '--yes'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
  return ms;
}
const stateHome = mkdtempSync(join(tmpdir(), 'bench-state-'));
report.upgradeDeployMs = {
  beforeBuildNpmCi: await upgradeDeploy('dependencies: shared\nbuild: npm ci --omit=dev --no-audit --no-fund', stateHome),
  afterNewLockfile: await upgradeDeploy('', stateHome),
  // The same upgrade once the 0.17.4 tree is in the cache (e.g. staging installed it; production reuses it).
  afterCachedLockfile: await upgradeDeploy('', stateHome),
};
rmSync(stateHome, { recursive: true, force: true });
report.loadavgAfter = loadavg().map((l) => l.toFixed(1));
console.log(JSON.stringify(report, null, 2));
