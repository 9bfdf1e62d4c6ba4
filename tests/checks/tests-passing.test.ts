import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { checkTests, testRunCommand } from '../../src/checks/tests-passing.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
import { makeProject, pkg } from './support/project.js';

const vitestFiles = (discount: number) => ({
  'package.json': pkg({ test: 'vitest run' }),
  'test/cart.test.js': `import { describe, it, expect } from 'vitest';
describe('cart', () => {
  it('adds items', () => expect(1 + 1).toBe(2));
  it('applies discount', () => expect(10 * 0.9).toBe(${discount}));
});
it('top level ok', () => {});
`,
});

describe('tests check', () => {
  it('fails a vitest project with a failing test: exit 3, counts and the failing name', async () => {
    const cwd = await makeProject(vitestFiles(8), { linkNodeModules: true });
    const executor = createExecutor();
    const result = await checkTests({ cwd, command: undefined, timeoutMs: 60_000, executor });
    expect(result).toMatchObject({ name: 'Tests', ok: false, exitCode: 3 });
    expect(result.detail).toBe('1/3 failing: cart > applies discount');
    // The JSON reporter was added to the default `npm test`.
    expect(executor.records[0]!.command).toContain('--reporter=json');
  });

  it('reports passed/total for a passing vitest project', async () => {
    const cwd = await makeProject(vitestFiles(9), { linkNodeModules: true });
    const result = await checkTests({ cwd, command: undefined, timeoutMs: 60_000, executor: createExecutor() });
    expect(result).toEqual({ name: 'Tests', ok: true, detail: '3/3 passing' });
  });

  it('parses vitest closing lines when the script cannot take extra flags', async () => {
    const files = { ...vitestFiles(8), 'package.json': pkg({ test: 'vitest run && echo done' }) };
    const cwd = await makeProject(files, { linkNodeModules: true });
    const executor = createExecutor();
    const result = await checkTests({ cwd, command: undefined, timeoutMs: 60_000, executor });
    expect(executor.records[0]!.command).not.toContain('--reporter');
    expect(result).toMatchObject({ ok: false, detail: '1/3 failing: cart > applies discount' });
  });

  it('counts node:test results, including a failing subtest', async () => {
    const cwd = await makeProject({
      'package.json': pkg({ test: 'node --test' }),
      'test/a.test.mjs': `import test from 'node:test';
import assert from 'node:assert';
test('adds', () => assert.equal(1 + 1, 2));
test('breaks things', () => assert.equal(1, 2));
test('group', async (t) => { await t.test('inner ok', () => {}); });
test('skipped one', { skip: true }, () => {});
`,
    });
    const result = await checkTests({ cwd, command: undefined, timeoutMs: 60_000, executor: createExecutor() });
    expect(result).toMatchObject({ ok: false, exitCode: 3 });
    expect(result.detail).toMatch(/^1\/\d+ failing: breaks things$/);
  });

  it('reports node:test passes from a configured command', async () => {
    const cwd = await makeProject({
      'package.json': pkg({}),
      'a.test.mjs': `import test from 'node:test';\ntest('one', () => {});\ntest('two', () => {});\n`,
    });
    const result = await checkTests({ cwd, command: 'node --test a.test.mjs', timeoutMs: 60_000, executor: createExecutor() });
    expect(result).toEqual({ name: 'Tests', ok: true, detail: '2/2 passing' });
  });

  it('judges an unknown runner by its exit code alone', async () => {
    const ok = await makeProject({ 'package.json': pkg({ test: 'node check.js' }), 'check.js': 'console.log("5 passed, 0 failed")' });
    expect(await checkTests({ cwd: ok, command: undefined, timeoutMs: 30_000, executor: createExecutor() })).toEqual({
      name: 'Tests',
      ok: true,
      detail: 'passing (exit 0)',
    });
    const bad = await makeProject({ 'package.json': pkg({ test: 'node check.js' }), 'check.js': 'process.exit(7)' });
    expect(await checkTests({ cwd: bad, command: undefined, timeoutMs: 30_000, executor: createExecutor() })).toMatchObject({
      ok: false,
      detail: 'failing (exit 7)',
      exitCode: 3,
    });
  });

  it('fails on timeout and stops the whole process tree (npm -> sh -> sleep)', async () => {
    const marker = `${Date.now() % 100000}.${process.pid % 1000}7`;
    const cwd = await makeProject({ 'package.json': pkg({ test: `sleep ${marker}` }) });
    const result = await checkTests({ cwd, command: undefined, timeoutMs: 1500, executor: createExecutor() });
    expect(result).toMatchObject({ ok: false, exitCode: 3 });
    expect(result.detail).toBe('timed out after 1500ms (npm test)');
    // Not a single grandchild is left behind.
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout.split('\n').filter((line) => line.includes(`sleep ${marker}`))).toEqual([]);
  });

  it('runs the test line under coreutils timeout so the process group is signalled', () => {
    const command = testRunCommand('npm test', '/p', { CI: 'true' }, 600_000);
    expect(command).toEqual({
      file: 'timeout',
      args: ['--kill-after=5s', '600.0s', '/bin/sh', '-c', 'npm test'],
      cwd: '/p',
      env: { CI: 'true' },
      timeoutMs: 610_000,
      mutates: false,
    });
  });

  it('warns when there is nothing to run, and refuses tests: false for production', async () => {
    const cwd = await makeProject({ 'package.json': pkg({ test: 'echo "Error: no test specified" && exit 1' }) });
    const none = await checkTests({ cwd, command: undefined, timeoutMs: 1000, executor: createExecutor() });
    expect(none).toMatchObject({ ok: true, warning: true });
    const staging = await checkTests({ cwd, command: false, timeoutMs: 1000, executor: createExecutor() });
    expect(staging).toMatchObject({ ok: true, warning: true, detail: 'skipped (tests: false)' });
    const production = await checkTests({ cwd, command: false, timeoutMs: 1000, executor: createExecutor(), production: true });
    expect(production).toMatchObject({ ok: false, exitCode: 3 });
  });
});
