import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRecipes } from '../../src/bundle/load.js';
import { resolveEnvironment } from '../../src/config/index.js';
import { createExecutor } from '../../src/exec/executor.js';
import { buildPlan } from '../../src/orchestrator/plan.js';
import { runPlan } from '../../src/orchestrator/run.js';
import type { PlatformDriver } from '../../src/orchestrator/types.js';
import { prepareRelease } from '../../src/platforms/local/prepare-release.js';
import { releasesDir } from '../../src/platforms/local/releases.js';
import { makeProject, pkg } from '../checks/support/project.js';

const run = promisify(execFile);
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) {
    await rm(releasesDir(join(root, '.deploy', 'staging')), { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
});

/**
 * A run resolves its ref once (src/releases/git-source.ts): the shipped diff, the Git check and the release name the
 * same commit, and a commit made while the run is under way is not what it builds. The driver is the seam where the
 * platform's deploy starts; it builds the release with the local platform's own code.
 */
describe('one commit per run', { timeout: 60_000 }, () => {
  it('the Git check, the shipped diff and the release agree, with one rev-parse for the whole run', async () => {
    const root = await makeProject({
      'package.json': pkg({}, { version: '1.0.0' }),
      'server.js': 'console.log(1)\n',
      'deploy.config.yaml': ['app: shop', 'platform: local', 'start: node server.js', 'tests: false', 'environments:', '  staging: { port: 4001 }', ''].join('\n'),
    });
    roots.push(root);
    const git = (...args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: root });
    await writeFile(join(root, '.gitignore'), '.deploy/\n');
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'first');
    const checked = (await git('rev-parse', 'HEAD')).stdout.trim();

    const config = await resolveEnvironment(root, 'staging', { env: {} });
    const plan = buildPlan({
      kind: 'deploy', config, recipes: await loadRecipes(), dryRun: false, toolVersion: '0.0.0-test', now: new Date(),
      options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: false, lockWaitMs: 0, verbose: false },
    });
    let built: string | null = null;
    const driver: PlatformDriver = {
      name: 'release-only',
      async deploy(ctx) {
        // Someone commits while the checks ran: the release still builds the commit they saw.
        await writeFile(join(root, 'server.js'), 'console.log(2)\n');
        await git('commit', '-qam', 'during the run');
        const created = await prepareRelease(ctx, {});
        if (!('release' in created)) throw new Error('the release was not created');
        built = created.release.commit;
        return { status: 'success', release: { id: created.release.id, version: created.release.version, commit: built }, previousRelease: null, post: [], rollback: { performed: false, reason: null } };
      },
      rollback: () => Promise.reject(new Error('no rollback expected')),
      status: () => Promise.reject(new Error('no status expected')),
      stop: () => Promise.reject(new Error('no stop expected')),
    };
    const executor = createExecutor();
    const summary = await runPlan(plan, { emit: () => undefined, signal: new AbortController().signal, loadDriver: async () => driver, executor });

    expect(summary.status).toBe('success');
    expect(summary.checks.pre.find((c) => c.name === 'Git')?.detail).toBe(`commit ${checked.slice(0, 7)}, clean`);
    expect(summary.shipped).toEqual({ kind: 'first', from: null, to: checked });
    expect(built).toBe(checked);
    expect(executor.records.filter((r) => r.command.startsWith('git rev-parse'))).toHaveLength(1);
  });
});
