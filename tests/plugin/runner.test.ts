import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginDir, readJson } from './plugin-files.js';

/** plugin/bin/shipgate.mjs: the project's pinned CLI first, else the published version matching the plugin. */
const RUNNER = join(pluginDir, 'bin/shipgate.mjs');
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function stub(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, body);
  chmodSync(path, 0o755);
}

describe('the plugin runner', () => {
  it("runs the project's node_modules/shipgate, found upward from a subfolder, with the arguments and exit code unchanged", () => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    stub(join(dir, 'node_modules/shipgate/dist/src/cli/main.js'), 'console.log(JSON.stringify(process.argv.slice(2))); process.exit(3);\n');
    mkdirSync(join(dir, 'packages/web'), { recursive: true });
    const run = spawnSync('node', [RUNNER, 'staging', '--reason', 'two words', '--json'], { cwd: join(dir, 'packages/web'), encoding: 'utf8' });
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual(['staging', '--reason', 'two words', '--json']);
  });

  it("prefers the pinned package's bundled bin (dist/bin/deploy.js) to its compiled CLI, which older builds have alone", () => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    stub(join(dir, 'node_modules/shipgate/dist/bin/deploy.js'), "console.log('bundled'); process.exit(0);\n");
    stub(join(dir, 'node_modules/shipgate/dist/src/cli/main.js'), "console.log('compiled'); process.exit(0);\n");
    const run = spawnSync('node', [RUNNER, 'status'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('bundled');
  });

  it('without one, runs the published version matching the plugin through npx, and says so on stderr', () => {
    dir = mkdtempSync(join(tmpdir(), 'runner-'));
    stub(join(dir, 'bin/npx'), '#!/bin/sh\necho "npx $*"\n');
    const run = spawnSync('node', [RUNNER, 'status', 'staging', '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` } });
    const { version } = readJson('plugin/.claude-plugin/plugin.json');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`npx --yes --package shipgate@${version} -- deploy status staging --json`);
    expect(run.stderr).toBe(`shipgate: no shipgate in this project's node_modules; running shipgate@${version} through npx\n`);
  });
});
