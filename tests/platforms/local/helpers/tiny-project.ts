import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { freePort } from '../../../helpers/free-port.js';
import { runCli } from '../../../cli/helpers.js';

const TINY_APP = new URL('../fixtures/tiny-app.mjs', import.meta.url).pathname;

export const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' });

/** A git project under /tmp that deploys the dependency-free tiny app to `staging` on a free port, with short waits. */
export async function tinyProject(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(TINY_APP, join(dir, 'server.mjs'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'deploy.config.yaml'),
    [
      'app: tiny',
      'platform: local',
      'start: node server.mjs',
      'health: { path: /, interval: 50ms, timeout: 10s }',
      'tests: false',
      'migrations: none',
      'verify: { smoke: ["GET /"], window: 300ms, minRequests: 0 }',
      'keepWarm: 10m',
      'drainTimeout: 500ms',
      `environments: { staging: { port: ${port} } }`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, '.gitignore'), '.deploy/\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'tiny app');
  return dir;
}

/** Teardown: `deploy stop staging`, asserted (a failed stop hides bugs), then the project folder. */
export async function stopAndRemove(dir: string | undefined): Promise<void> {
  if (!dir) return;
  const stop = await runCli(['stop', 'staging', '--yes'], { cwd: dir });
  expect(stop.code, stop.stderr).toBe(0);
  rmSync(dir, { recursive: true, force: true });
}
