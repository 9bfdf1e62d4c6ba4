import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../src/contracts/summary.js';
import { runCli } from '../cli/helpers.js';
import { ensureBuilt } from '../setup/build.js';
import { freshInstall, git } from './helpers/npm-project.js';

/**
 * A new user's first deploy: install a third-party server from npm (a pinned lockfile), `deploy init`, edit only the
 * start line, deploy staging. It must pass on the first try (health path, tests line, dependencies, ports from the
 * starter).
 */
const stateHome = mkdtempSync(join(tmpdir(), 'shipgate-state-'));
const env = { XDG_STATE_HOME: stateHome };
const running: string[] = [];
/**
 * package.json and package-lock.json as `npm install --package-lock-only --save-exact <package>` wrote them in a
 * folder holding only `{ "name": "app", "version": "1.0.0", "private": true }` (verdaccio 5.33.0 for `verdaccio@5`).
 */
const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

async function firstDeploy(dir: string, start: string): Promise<{ exitCode: number; summary: DeploySummary; config: Record<string, unknown> }> {
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  const init = await runCli(['init'], { cwd: dir, env });
  expect(init.code, init.stderr).toBe(0);
  const path = join(dir, 'deploy.config.yaml');
  const text = readFileSync(path, 'utf8');
  const edited = text.replace(/^start: .*$/m, `start: ${start}`);
  expect(edited).not.toBe(text);
  writeFileSync(path, edited);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'first');
  running.push(dir);
  const run = await runCli(['staging', '--json', '--yes'], { cwd: dir, env });
  return { exitCode: run.code ?? -1, summary: JSON.parse(run.stdout) as DeploySummary, config: parse(edited) as Record<string, unknown> };
}

// The two apps install and deploy side by side: both mostly wait on npm and on their own processes.
describe('the starter config deploys real apps on the first try', { timeout: 20 * 60_000, concurrent: true }, () => {
  beforeAll(() => ensureBuilt(), 5 * 60_000);
  afterAll(async () => {
    for (const dir of running) {
      const stopped = await runCli(['stop', 'staging', '--yes'], { cwd: dir, env });
      expect(stopped.code, stopped.stderr).toBe(0);
    }
  });

  it('json-server', async () => {
    const dir = await freshInstall(fixture('json-server-0.17.4'));
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ posts: [{ id: 1, title: 'hello' }] }));
    const { exitCode, summary, config } = await firstDeploy(dir, 'npx json-server --port $PORT db.json');
    expect(exitCode, summary.message).toBe(0);
    expect(config.tests).toBeUndefined();
    expect(config.persist).toEqual(['db.json']);
    expect(summary.checks.pre.find((c) => c.name === 'Tests')?.detail).toBe('no test script in package.json; nothing run');
    const port = (config.environments as { staging: { port: number } }).staging.port;
    const posts = await fetch(`http://127.0.0.1:${port}/posts`);
    expect(await posts.json()).toEqual([{ id: 1, title: 'hello' }]);
  });

  it('verdaccio', async () => {
    const dir = await freshInstall(fixture('verdaccio-5'));
    // Verdaccio's own minimal configuration, next to the app (its storage/ is then a folder of the release).
    writeFileSync(join(dir, 'config.yaml'), 'storage: ./storage\nuplinks: {}\npackages:\n  "**": { access: $all, publish: $all }\nlog: { type: stdout, format: pretty, level: warn }\n');
    const { exitCode, summary, config } = await firstDeploy(dir, 'npx verdaccio --config ./config.yaml --listen 127.0.0.1:$PORT');
    expect(exitCode, summary.message).toBe(0);
    const port = (config.environments as { staging: { port: number } }).staging.port;
    expect((await fetch(`http://127.0.0.1:${port}/-/ping`)).status).toBe(200);
  });
});
