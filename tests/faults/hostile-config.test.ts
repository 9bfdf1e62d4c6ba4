import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../setup/build.js';

/** Hostile input through the real CLI: one clear line naming the thing, exit 2, nothing run or written. */
const GOOD = ['app: shop', 'platform: local', 'start: node server.js', 'tests: false', 'migrations: none', 'environments:', '  staging: { port: 4999 }', ''].join('\n');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(config: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-hostile-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'deploy.config.yaml'), config);
  writeFileSync(join(dir, 'server.js'), 'process.exit(0)\n');
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--yes'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr, dir });
    });
  });
}

const cases: Array<[string, string, string[], RegExp]> = [
  ['malformed YAML', 'app: [shop\n', ['staging'], /deploy\.config\.yaml/],
  ['wrong type', GOOD.replace('app: shop', 'app: 42'), ['staging'], /app/],
  ['unknown key (named)', GOOD + 'colour: blue\n', ['staging'], /colour/],
  ['negative duration', GOOD + 'drain: -5s\n', ['staging'], /drain/],
  ['absurd duration', GOOD + 'warm: 99999999d\n', ['staging'], /warm/],
  ['percentage over 100', GOOD + 'verify: { errorRate: 150% }\n', ['staging'], /errorRate/],
  ['environment name with ../', GOOD, ['../../etc'], /environment/i],
  ['environment name with shell metacharacters', GOOD, ['staging;rm -rf ~'], /environment/i],
  ['env file outside the project', GOOD + 'env: { files: ["../../etc/passwd"] }\n', ['staging'], /env\.files/],
  ['huge config', GOOD + '# ' + 'x'.repeat(2_000_000) + '\n', ['staging'], /too large/],
  ['YAML alias bomb (billion laughs)', GOOD + aliasBomb(), ['staging'], /deploy\.config\.yaml: invalid YAML: aliases expand too much/],
  ['webhook URL with user:password', GOOD + 'notify: { webhooks: [{ url: "https://deploy:hunter2-pw@hooks.example.com/x", secretEnv: HOOK_SECRET }] }\n', ['staging'], /^deploy: deploy\.config\.yaml: notify\.webhooks\[0\]\.url: must not hold credentials/],
  ['webhook URL with a token as user', GOOD + 'notify: { webhooks: [{ url: "https://tok3n-in-userinfo@hooks.example.com/x", secretEnv: HOOK_SECRET }] }\n', ['staging'], /notify\.webhooks\[0\]\.url: must not hold credentials/],
  ['health path with a space', GOOD.replace('tests: false', 'tests: false\nhealth: { path: "/health x" }'), ['staging'], /health\.path: must be a plain request target/],
];

/** Nine levels of nine aliases: about 387 million nodes if expanded. */
function aliasBomb(): string {
  const lines = ['x-bomb:', '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

describe('hostile input', { timeout: 120_000 }, () => {
  it.each(cases)('%s: one line, exit 2, nothing written', async (_name, config, args, re) => {
    await ensureBuilt();
    const r = await run(config, args);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length, r.stderr).toBe(1);
    expect(lines[0]).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(r.dir, '.deploy'))).toBe(false);
    expect(r.stderr + r.stdout).not.toMatch(/hunter2|tok3n/);
  });
});
