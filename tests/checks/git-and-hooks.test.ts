import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createExecutor } from '../../src/exec/executor.js';
import { checkGit, gitCommands } from '../../src/checks/git-state.js';
import { gitSourceCommand } from '../../src/releases/git-source.js';
import { checkPreDeployHook, runHook, type HookContext } from '../../src/checks/hooks.js';
import { makeProject } from './support/project.js';

const run = promisify(execFile);

async function gitProject(): Promise<{ root: string; commit: string }> {
  const root = await makeProject({ 'server.js': 'console.log(1)\n' });
  const git = (...args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'init');
  const { stdout } = await git('rev-parse', 'HEAD');
  return { root, commit: stdout.trim() };
}

describe('git check', () => {
  it('builds read-only git commands as data', () => {
    expect(gitSourceCommand('/p', 'HEAD')).toEqual({
      file: 'git',
      args: ['rev-parse', '--show-toplevel', '--show-prefix', '--verify', '--quiet', '--end-of-options', 'HEAD^{commit}'],
      cwd: '/p',
      mutates: false,
      timeoutMs: 10_000,
    });
    expect(gitSourceCommand('/p', 'v1.2').args.at(-1)).toBe('v1.2^{commit}');
    expect(gitCommands.status('/p')).toEqual({ file: 'git', args: ['status', '--porcelain', '--untracked-files=normal'], cwd: '/p', mutates: false, timeoutMs: 10_000 });
  });

  it('records the commit of a clean tree', async () => {
    const { root, commit } = await gitProject();
    const out = await checkGit({ cwd: root, executor: createExecutor(), production: true, allowDirty: false });
    expect(out).toEqual({ result: { name: 'Git', ok: true, detail: `commit ${commit.slice(0, 7)}, clean` }, commit, dirty: false });
  });

  it('warns on a dirty tree for staging and refuses it for production unless --allow-dirty', async () => {
    const { root, commit } = await gitProject();
    await writeFile(join(root, 'server.js'), 'console.log(2)\n');
    await writeFile(join(root, 'new.txt'), 'x');
    const staging = await checkGit({ cwd: root, executor: createExecutor(), production: false, allowDirty: false });
    expect(staging.result).toEqual({ name: 'Git', ok: true, warning: true, detail: `commit ${commit.slice(0, 7)} with uncommitted changes (2 files)` });
    const production = await checkGit({ cwd: root, executor: createExecutor(), production: true, allowDirty: false });
    expect(production.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(production.result.detail).toMatch(/commit them or pass --allow-dirty$/);
    const allowed = await checkGit({ cwd: root, executor: createExecutor(), production: true, allowDirty: true });
    expect(allowed.result).toMatchObject({ ok: true, warning: true });
  });

  it('warns outside a git repository', async () => {
    const root = await makeProject({ 'a.txt': 'a' });
    const out = await checkGit({ cwd: root, executor: createExecutor(), production: false, allowDirty: false });
    expect(out.commit).toBeNull();
    expect(out.result).toMatchObject({ ok: true, warning: true });
  });
});

describe('hooks', () => {
  const context: HookContext = { environment: 'staging', release: 'r-7', version: '1.2.3', commit: 'abc1234', url: 'http://127.0.0.1:4001', status: 'pending' };

  async function withHook(name: string, body: string, mode = 0o755): Promise<string> {
    const root = await makeProject({});
    await mkdir(join(root, '.deploy/hooks'), { recursive: true });
    await writeFile(join(root, '.deploy/hooks', name), body);
    await chmod(join(root, '.deploy/hooks', name), mode);
    return root;
  }

  it('passes DEPLOY_* variables to the hook', async () => {
    const root = await withHook('post-deploy', '#!/bin/sh\nenv | grep ^DEPLOY_ | sort > "$PWD/seen.txt"\n');
    const outcome = await runHook({ projectRoot: root, hook: 'post-deploy', context: { ...context, status: 'success' }, executor: createExecutor() });
    expect(outcome).toEqual({ ran: true, ok: true, exitCode: 0, detail: 'passed' });
    expect((await readFile(join(root, 'seen.txt'), 'utf8')).trim().split('\n')).toEqual([
      'DEPLOY_COMMIT=abc1234',
      'DEPLOY_ENVIRONMENT=staging',
      'DEPLOY_RELEASE=r-7',
      'DEPLOY_STATUS=success',
      'DEPLOY_URL=http://127.0.0.1:4001',
      'DEPLOY_VERSION=1.2.3',
    ]);
  });

  it('a failing pre-deploy hook is a failed pre-check (exit 3) with its last line', async () => {
    const root = await withHook('pre-deploy', '#!/bin/sh\necho "checking $DEPLOY_ENVIRONMENT"\necho "change freeze until Monday" >&2\nexit 4\n');
    const result = await checkPreDeployHook({ projectRoot: root, context, executor: createExecutor() });
    expect(result).toEqual({ name: 'Pre-deploy Hook', ok: false, detail: 'failed (exit 4): change freeze until Monday', exitCode: 3 });
  });

  it('reports a hook that is not executable, runs nothing without a hook, and skips hooks under --dry-run', async () => {
    const root = await withHook('pre-deploy', '#!/bin/sh\ntouch ran\n', 0o644);
    expect((await checkPreDeployHook({ projectRoot: root, context, executor: createExecutor() })).detail).toBe(
      '.deploy/hooks/pre-deploy is not executable (chmod +x it)',
    );
    const none = await makeProject({});
    expect(await runHook({ projectRoot: none, hook: 'post-rollback', context, executor: createExecutor() })).toMatchObject({ ran: false, ok: true });
    const dry = await withHook('pre-deploy', '#!/bin/sh\ntouch "$PWD/ran"\n');
    const result = await checkPreDeployHook({ projectRoot: dry, context, executor: createExecutor({ dryRun: true }) });
    expect(result).toEqual({ name: 'Pre-deploy Hook', ok: true, detail: 'would run (dry run)' });
    await expect(readFile(join(dry, 'ran'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
