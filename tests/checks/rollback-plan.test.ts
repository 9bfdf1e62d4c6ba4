import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordRollbackPlanProgress, writeRollbackPlan, type RollbackPlanInput } from '../../src/checks/rollback-plan.js';
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

  it('says whether a rollback across the migrations is schema-safe: all expand yes, any contract no, unclassified unknown', async () => {
    const expand = { state: 'pending' as const, kind: 'expand' as const };
    const root = await makeProject({});
    const safe = await writeRollbackPlan(planInput(root, { classified: ['001_users.sql', '002_items.sql', '003_orders.sql'].map((name) => ({ name, ...expand })) }));
    expect(safe.plan.migrations).toMatchObject({ schemaSafe: true });
    expect(await readFile(safe.markdownPath, 'utf8')).toContain('A rollback across the migrations this deploy applies is schema-safe: all are expand');

    const contract = { name: '003_orders.sql', state: 'pending' as const, kind: 'contract' as const, statement: 'ALTER TABLE orders DROP COLUMN total', reason: 'drops column orders.total' };
    const unsafe = await writeRollbackPlan(planInput(root, { classified: [{ name: '001_users.sql', ...expand }, { name: '002_items.sql', ...expand }, contract] }));
    expect(unsafe.plan.migrations).toMatchObject({ schemaSafe: false, notExpand: [{ name: '003_orders.sql', kind: 'contract', why: 'drops column orders.total: ALTER TABLE orders DROP COLUMN total' }] });
    expect(await readFile(unsafe.markdownPath, 'utf8')).toContain('is **NOT schema-safe**: the previous release expects the old schema. 003_orders.sql (contract: drops column orders.total: ALTER TABLE orders DROP COLUMN total).');

    // Only what really ran counts: the contract file failed, so the two applied ones are all expand.
    const progressed = await recordRollbackPlanProgress(unsafe, { applied: ['001_users.sql', '002_items.sql'] });
    expect(progressed.migrations.schemaSafe).toBe(true);
    expect(await readFile(unsafe.markdownPath, 'utf8')).toContain('A rollback across the migrations this deploy applied is schema-safe');

    const unknown = await writeRollbackPlan(planInput(root, { migrations: null, migrationTool: 'drizzle' }));
    expect(unknown.plan.migrations.schemaSafe).toBeNull();
    expect(await readFile(unknown.markdownPath, 'utf8')).toContain('is unknown (drizzle cannot list them ahead of time)');
  });
});
