import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { checkProductionGate } from '../../src/checks/production-gate.js';
import { UserError } from '../../src/errors.js';
import { makeProject } from './support/project.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const DAY = 86_400_000;

function record(daysAgo: number, extra: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    ts: new Date(NOW.getTime() - daysAgo * DAY).toISOString(),
    type: 'deploy',
    environment: 'staging',
    status: 'success',
    verified: true,
    release: { id: `r-${daysAgo}`, version: '1.0.0', commit: 'abc1234aaaa', contentHash: 'hash-aaa' },
    user: 'ci',
    host: 'build-1',
    ...extra,
  };
}

async function projectWithStaging(records: HistoryRecord[]): Promise<string> {
  const root = await makeProject({});
  await mkdir(join(root, '.deploy/staging'), { recursive: true });
  await writeFile(join(root, '.deploy/staging/history.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n{"torn line\n');
  return root;
}

const gate = (projectRoot: string, release: { contentHash: string | null; commit: string | null }, force?: { reason: string | undefined }) =>
  checkProductionGate({ projectRoot, requires: 'staging', maxAgeMs: 7 * DAY, release, now: NOW, force });

describe('production gate', () => {
  it('lets through a commit deployed and verified on staging within maxAge', async () => {
    const root = await projectWithStaging([record(2)]);
    const out = await gate(root, { contentHash: null, commit: 'abc1234aaaa' });
    expect(out.result).toEqual({ name: 'Staging Verified', ok: true, detail: 'commit abc1234 verified on staging 2d ago (release r-2)' });
    expect(out.evidence?.release?.id).toBe('r-2');
  });

  it('matches on content hash when the commit differs', async () => {
    const root = await projectWithStaging([record(1)]);
    expect((await gate(root, { contentHash: 'hash-aaa', commit: 'other99' })).result.ok).toBe(true);
  });

  it('refuses (exit 3) when staging deployed it but verification failed', async () => {
    const root = await projectWithStaging([record(1, { status: 'rolled_back', verified: false })]);
    const out = await gate(root, { contentHash: null, commit: 'abc1234aaaa' });
    expect(out.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(out.result.detail).toMatch(/^commit abc1234 was deployed to staging but not verified \(rolled_back\); deploy and verify it on staging first/);
  });

  it('refuses a release that the post-deploy guard later rolled back on staging', async () => {
    const deployed = record(1);
    const caught = record(0.9, { type: 'guard', status: 'failed', verified: false, reason: 'guard: error rate 30% > 1%' });
    const root = await projectWithStaging([deployed, { ...caught, release: deployed.release }]);
    const out = await gate(root, { contentHash: null, commit: 'abc1234aaaa' });
    expect(out.result).toMatchObject({ ok: false, exitCode: 3 });
    expect(out.result.detail).toMatch(/^commit abc1234 was rolled back on staging by the post-deploy guard/);
  });

  it('refuses when the verified staging deploy is older than maxAge', async () => {
    const root = await projectWithStaging([record(9)]);
    const out = await gate(root, { contentHash: null, commit: 'abc1234aaaa' });
    expect(out.result.ok).toBe(false);
    expect(out.result.detail).toMatch(/^commit abc1234 was last deployed to staging 9d ago \(max 7d\)/);
  });

  it('refuses when staging never saw it, including when staging has no history at all', async () => {
    const root = await projectWithStaging([record(1)]);
    expect((await gate(root, { contentHash: 'other', commit: 'fff0000' })).result.detail).toMatch(/^commit fff0000 was never deployed to staging/);
    const empty = await makeProject({});
    expect((await gate(empty, { contentHash: null, commit: 'abc1234aaaa' })).result).toMatchObject({ ok: false, exitCode: 3 });
  });

  it('--force-unverified with a reason overrides and returns the reason for the audit record', async () => {
    const root = await projectWithStaging([]);
    const out = await gate(root, { contentHash: null, commit: 'abc1234aaaa' }, { reason: 'hotfix for incident 42' });
    expect(out.result).toMatchObject({ ok: true, warning: true });
    expect(out.result.detail).toMatch(/^overridden with --force-unverified/);
    expect(out.forced).toEqual({ reason: 'hotfix for incident 42' });
    await expect(gate(root, { contentHash: null, commit: 'abc1234aaaa' }, { reason: ' ' })).rejects.toBeInstanceOf(UserError);
  });

  it('is open when no environment is required', async () => {
    const root = await makeProject({});
    const out = await checkProductionGate({ projectRoot: root, requires: null, maxAgeMs: DAY, release: { contentHash: null, commit: null } });
    expect(out.result).toEqual({ name: 'Staging Verified', ok: true, detail: 'not required' });
  });
});
