#!/usr/bin/env node
// Per-release dependencies (issue 18), measured with json-server from the npm registry:
//   1. dependency time of a deploy with an unchanged lockfile (cache hit: one symlink; target <= 1 s)
//   2. dependency time with a changed lockfile (install into the cache + the symlink), next to npm's own
//      `npm ci --omit=dev` of the same lockfile with the same warm npm cache (target <= npm + 10%); the two
//      alternate which goes first from run to run, and each run's ratio is reported too
//   3. what a release with a build pays instead (a private tree of hard links, `cp -al`), and what deleting a
//      release costs retention with either tree
// The upgrade deploy before/after this issue: upgrade-deploy.mjs.
// Usage: node bench/releases/dependencies.mjs [--runs 3]   (after npm run build; needs the npm registry)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const { installDependencies } = await import(join(root, 'dist/src/releases/dependency-cache.js'));
const { createExecutor } = await import(join(root, 'dist/src/exec/executor.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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

async function dependencyTime(lock, cacheRoot, production = true) {
  const releaseDir = releaseFrom(lock);
  const started = performance.now();
  const result = await installDependencies({ releaseDir, cacheRoot, executor: createExecutor(), production, env: { ...process.env }, logFile: join(releaseDir, '.shipgate/install.log') });
  const ms = Math.round(performance.now() - started);
  // What retention pays to delete this release later.
  const removed = performance.now();
  rmSync(releaseDir, { recursive: true, force: true });
  return { ms, source: result.source, tree: result.tree, removeMs: Math.round(performance.now() - removed) };
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

const load = () => loadavg().map((l) => Number(l.toFixed(1)));
const report = { when: new Date().toISOString(), runs, loadavg: [load()], unchangedMs: [], changedMs: [], npmCiMs: [], changedOverNpmPerRun: [], buildTreeUnchangedMs: [], removeReleaseMs: { symlink: [], hardLinks: [] } };
const percent = (a, b) => `${(((a / b) - 1) * 100).toFixed(1)}%`;
for (let i = 0; i < runs; i++) {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  let npmMs = 0;
  if (i % 2 === 0) npmMs = npmOwn(v174);
  const cold = await dependencyTime(v174, cacheRoot);
  if (cold.source !== 'installed' || cold.tree !== 'symlink') throw new Error('expected an install, linked');
  if (i % 2 === 1) npmMs = npmOwn(v174);
  report.npmCiMs.push(npmMs);
  report.changedMs.push(cold.ms);
  report.changedOverNpmPerRun.push(percent(cold.ms, npmMs));
  const warm = await dependencyTime(v174, cacheRoot);
  if (warm.source !== 'cache') throw new Error('expected a cache hit');
  report.unchangedMs.push(warm.ms);
  report.removeReleaseMs.symlink.push(warm.removeMs);
  // A release with a build: the same lockfile with devDependencies is another key; its first install is not timed.
  await dependencyTime(v174, cacheRoot, false);
  const tree = await dependencyTime(v174, cacheRoot, false);
  if (tree.source !== 'cache' || tree.tree !== 'hard-links') throw new Error('expected a cache hit, hard links');
  report.buildTreeUnchangedMs.push(tree.ms);
  report.removeReleaseMs.hardLinks.push(tree.removeMs);
  rmSync(cacheRoot, { recursive: true, force: true });
  report.loadavg.push(load());
}
report.median = {
  unchangedMs: median(report.unchangedMs),
  changedMs: median(report.changedMs),
  npmCiMs: median(report.npmCiMs),
  buildTreeUnchangedMs: median(report.buildTreeUnchangedMs),
  removeReleaseMs: { symlink: median(report.removeReleaseMs.symlink), hardLinks: median(report.removeReleaseMs.hardLinks) },
};
report.median.changedOverNpm = percent(report.median.changedMs, report.median.npmCiMs);

console.log(JSON.stringify(report, null, 2));
