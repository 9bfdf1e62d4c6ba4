import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRollbackPlan, type RollbackPlanInput } from '../../src/checks/rollback-plan.js';
import { makeProject } from './support/project.js';

function planInput(root: string, extra: Partial<RollbackPlanInput> = {}): RollbackPlanInput {
  return {
    stateDir: join(root, '.deploy', 'staging'),
    projectRoot: root,
    environment: 'staging',
    platform: 'local',
    strategy: 'blue-green',
    current: { id: '20261127-0830-ab12', version: '1.2.2', commit: 'abc1234def' },
    next: { id: '20261127-0900-cd34', version: '1.2.3', commit: 'def5678abc' },
    migrations: ['001_users.sql', '002_items.sql', '003_orders.sql'],
    migrationTool: 'sql',
    keepWarmMs: 15 * 60_000,
    now: new Date('2026-11-27T09:00:00Z'),
    ...extra,
  };
}

describe('rollback plan', () => {
  it('writes the JSON plan and its markdown twin with the exact command and the migrations', async () => {
    const root = await makeProject({});
    const written = await writeRollbackPlan(planInput(root));
    expect(written.result).toEqual({
      name: 'Rollback Plan',
      ok: true,
      detail: 'generated (.deploy/staging/rollback-plan.md; `deploy rollback staging --to 20261127-0830-ab12`)',
    });
    const json = JSON.parse(await readFile(join(root, '.deploy/staging/rollback-plan.json'), 'utf8'));
    expect(json).toMatchObject({
      environment: 'staging',
      generatedAt: '2026-11-27T09:00:00.000Z',
      current: { id: '20261127-0830-ab12' },
      command: 'deploy rollback staging --to 20261127-0830-ab12',
      migrations: { tool: 'sql', willApply: ['001_users.sql', '002_items.sql', '003_orders.sql'], revertedAutomatically: false },
    });
    expect(json.traffic).toContain('stays warm for 15m');
    expect(json.caveats[0]).toMatch(/not reverted automatically/);
    const md = await readFile(join(root, '.deploy/staging/rollback-plan.md'), 'utf8');
    expect(md).toContain('- Command: `deploy rollback staging --to 20261127-0830-ab12`');
    expect(md).toContain('- Current release: 20261127-0830-ab12 (version 1.2.2, commit abc1234)');
    expect(md).toContain('- 002_items.sql');
    expect(md).toContain('They are **not** reverted automatically.');
    // Atomic writes leave no temp files behind.
    expect((await readdir(join(root, '.deploy/staging'))).sort()).toEqual(['rollback-plan.json', 'rollback-plan.md']);
  });

  it('says there is nothing to return to on a first deploy', async () => {
    const root = await makeProject({});
    const written = await writeRollbackPlan(planInput(root, { current: null, migrations: [] }));
    expect(written.plan.command).toBeNull();
    expect(written.plan.traffic).toMatch(/first deploy of staging/);
    expect(written.result.detail).toContain('first deploy, nothing to roll back to');
  });

  it('writes nothing under --dry-run', async () => {
    const root = await makeProject({});
    const written = await writeRollbackPlan(planInput(root, { dryRun: true }));
    expect(written.result.detail).toBe('would be written to .deploy/staging/rollback-plan.md (dry run)');
    await expect(readdir(join(root, '.deploy'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
