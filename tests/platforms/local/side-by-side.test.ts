import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import { runCli } from '../../cli/helpers.js';
import { git, stopAndRemove, tinyProject } from './helpers/tiny-project.js';

/**
 * No user traffic: green is judged on probes against blue's probes from before the switch (docs/verification.md).
 * A "busy box" is a file every release reads: when it exists, each release answers after 30 ms, and every fifth
 * request after 150 ms (a median under the early limit, a p95 over the end-of-window one). A release can write it
 * once it has served two requests, which is after the switch: its smoke test before the switch is its first.
 */
function server(busyFile: string, options: { makesTheBoxBusy: boolean; slowItself: boolean }): string {
  return `import { createServer } from 'node:http';
import { existsSync, writeFileSync } from 'node:fs';
const BUSY = ${JSON.stringify(busyFile)};
let served = 0;
createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  served += 1;
  if (${options.makesTheBoxBusy} && served === 2) writeFileSync(BUSY, '');
  const slow = ${options.slowItself} || existsSync(BUSY);
  setTimeout(() => res.end('ok'), slow ? (served % 5 === 0 ? 150 : 30) : 0);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
}

describe('local platform: a latency failure on probes alone is measured side by side before a rollback', { timeout: 240_000 }, () => {
  let dir: string;
  let busyDir: string;
  const busy = () => join(busyDir, 'busy');
  const deploy = async (): Promise<{ code: number | null; summary: DeploySummary }> => {
    const run = await runCli(['staging', '--json', '--yes'], { cwd: dir });
    return { code: run.code, summary: JSON.parse(run.stdout) as DeploySummary };
  };
  const release = (options: { makesTheBoxBusy: boolean; slowItself: boolean }, message: string) => {
    writeFileSync(join(dir, 'server.mjs'), server(busy(), options));
    git(dir, 'commit', '-qam', message);
  };

  beforeAll(async () => {
    busyDir = mkdtempSync(join(tmpdir(), 'shipgate-busy-'));
    dir = await tinyProject('shipgate-side-by-side-');
    const config = readFileSync(join(dir, 'deploy.config.yaml'), 'utf8')
      .replace('health: { path: /, interval: 50ms, timeout: 10s }', 'health: { path: /health, interval: 50ms, timeout: 10s }')
      .replace('verify: { smoke: ["GET /"], window: 300ms, minRequests: 0 }', 'verify: { smoke: ["GET /"], window: 2s, minRequests: 20, p95: 5s }');
    writeFileSync(join(dir, 'deploy.config.yaml'), config);
    git(dir, 'commit', '-qam', 'config');
    release({ makesTheBoxBusy: false, slowItself: false }, 'fast');
    const first = await deploy();
    expect(first.code, first.summary.message).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await stopAndRemove(dir);
    rmSync(busyDir, { recursive: true, force: true });
  });

  it('the box got busy after the switch, blue and green alike: green is kept, the check says why', async () => {
    release({ makesTheBoxBusy: true, slowItself: false }, 'busy box');
    const run = await deploy();
    const p95 = run.summary.checks.post.find((c) => c.name === 'p95 vs blue');
    expect(p95, JSON.stringify(run.summary.checks.post)).toMatchObject({ ok: true, value: expect.stringMatching(/; side by side [\d.]+ms vs [\d.]+ms: not confirmed$/) });
    expect(run.code, run.summary.message).toBe(0);
    expect(run.summary.status).toBe('success');
  });

  it('green alone is slower: confirmed side by side, and rolled back to the warm blue', async () => {
    rmSync(busy(), { force: true });
    release({ makesTheBoxBusy: false, slowItself: true }, 'slow itself');
    const run = await deploy();
    expect(run.code, run.summary.message).toBe(1);
    expect(run.summary.status).toBe('rolled_back');
    const p95 = run.summary.checks.post.find((c) => c.name === 'p95 vs blue');
    expect(p95).toMatchObject({ ok: false, value: expect.stringMatching(/; side by side [\d.]+ms vs [\d.]+ms: confirmed$/) });
  });
});
