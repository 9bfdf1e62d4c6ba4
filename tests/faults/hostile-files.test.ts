import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../setup/build.js';

/**
 * Hostile files around the config (issue 21): links, FIFOs, devices, another folder as `.deploy`. Each is refused in
 * one line that names the file, with exit 2, without quoting the file, without hanging, and without writing anything.
 */
const GOOD = ['app: shop', 'platform: local', 'start: node server.js', 'tests: false', 'migrations: none', 'environments:', '  staging: { port: 4999 }', ''].join('\n');
const SHADOW_LIKE = 'root:$y$j9T$planted-shadow-hash$Xyz:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';

const dirs: string[] = [];
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-hostile-files-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'server.js'), 'process.exit(0)\n');
  return dir;
}

function run(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', CI: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function expectOneLine(r: { code: number; stdout: string; stderr: string }, re: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(re);
  expect(r.stderr + r.stdout).not.toMatch(/planted-shadow-hash|root:|\n\s+at /);
}

describe('hostile files', { timeout: 120_000 }, () => {
  it('a config that is a symlink (to a shadow-like file) is refused without being read', async () => {
    const dir = project();
    const target = join(dir, 'shadow');
    writeFileSync(target, SHADOW_LIKE);
    symlinkSync(target, join(dir, 'deploy.config.yaml'));
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: deploy\.config\.yaml: is a symbolic link/);
    expectOneLine(await run(dir, ['staging', '--dry-run']), /deploy\.config\.yaml: is a symbolic link/);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('--config naming a FIFO or /dev/zero is refused at once: no hang, no read', async () => {
    const dir = project();
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    expectOneLine(await run(dir, ['staging', '--config', 'fifo.yaml', '--yes']), /^deploy: fifo\.yaml: not a regular file/);
    expectOneLine(await run(dir, ['staging', '--config', '/dev/zero', '--yes']), /^deploy: zero: not a regular file/);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('a config file that is a FIFO is refused when found in the folder', async () => {
    const dir = project();
    execFileSync('mkfifo', [join(dir, 'deploy.config.yaml')]);
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: deploy\.config\.yaml: not a regular file/);
  });

  it('an env file that is a FIFO is refused naming env.files', async () => {
    const dir = project();
    writeFileSync(join(dir, 'deploy.config.yaml'), GOOD + 'env: { files: [".env.${environment}"] }\n');
    execFileSync('mkfifo', [join(dir, '.env.staging')]);
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: env\.files: \.env\.staging: not a regular file/);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('invalid JSON and odd unknown keys are reported by line and path, never by quoting the file', async () => {
    const dir = project();
    writeFileSync(join(dir, 'deploy.config.json'), `{"app": "shop",\n "x": ${SHADOW_LIKE.split('\n')[0]}}`);
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: deploy\.config\.json: invalid JSON( at line 2)?$/);
    rmSync(join(dir, 'deploy.config.json'));
    writeFileSync(join(dir, 'deploy.config.yaml'), GOOD + `"${SHADOW_LIKE.split('\n')[0]}": 1\n`);
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: deploy\.config\.yaml: \(root\): unknown key \(its name is not shown/);
    writeFileSync(join(dir, 'deploy.config.yaml'), GOOD + 'x: *planted-shadow-hash\n');
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: deploy\.config\.yaml: invalid YAML: an alias \(\*name\) refers to no anchor/);
  });

  it('a .deploy that is a symlink elsewhere is refused by deploy, status and history; the target stays empty', async () => {
    const dir = project();
    writeFileSync(join(dir, 'deploy.config.yaml'), GOOD);
    const elsewhere = mkdtempSync(join(tmpdir(), 'shipgate-elsewhere-'));
    dirs.push(elsewhere);
    symlinkSync(elsewhere, join(dir, '.deploy'));
    for (const args of [['staging', '--yes'], ['status', 'staging'], ['history', 'staging']]) {
      expectOneLine(await run(dir, args), /^deploy: \.deploy is a symbolic link; it must be a real directory/);
    }
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a .deploy/<env> that is a symlink is refused the same way', async () => {
    const dir = project();
    writeFileSync(join(dir, 'deploy.config.yaml'), GOOD);
    const elsewhere = mkdtempSync(join(tmpdir(), 'shipgate-elsewhere-'));
    dirs.push(elsewhere);
    mkdirSync(join(dir, '.deploy'));
    symlinkSync(elsewhere, join(dir, '.deploy', 'staging'));
    expectOneLine(await run(dir, ['staging', '--yes']), /^deploy: \.deploy\/staging is a symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
