import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { formatRecord } from '../../src/cli/commands/history.js';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { buildSummary } from '../../src/summary/build.js';
import { needsHumanOf } from '../../src/summary/needs-human.js';
import { renderHuman } from '../../src/summary/render-human.js';

const plain = new Chalk({ level: 0 });

function summary(outcome: Parameters<typeof buildSummary>[0]['outcome']) {
  return buildSummary({ environment: 'staging', strategy: 'blue-green', platform: 'local', url: 'http://localhost:4001', dryRun: false, pre: [], outcome, durationMs: 9_000 });
}

describe('how verification decided, in the summary', () => {
  it('marks inconclusive checks apart from failed ones and says which case decided, with the counts', () => {
    const s = summary({
      status: 'rolled_back',
      release: { id: 'r-2', version: '1.0.1', commit: null },
      previousRelease: 'r-1',
      post: [
        { name: 'Smoke Tests', ok: true, value: '1/1 passing', threshold: 'all passing' },
        { name: 'Error Rate', ok: false, inconclusive: true, value: '21 requests (< 50 required)', threshold: '< 1%' },
        { name: 'Client Errors vs blue', ok: false, inconclusive: true, value: 'green: 21 requests (< 50 required)', threshold: '<= blue + 1pp' },
      ],
      rollback: { performed: true, reason: 'Verification inconclusive', verified: true },
      verification: { outcome: 'inconclusive', decision: 'inconclusive: rollback', samples: { candidate: 21, baseline: 10, required: 50 }, baseline: 'r-1 over the 2s before the switch', decidedAtMs: 4_012, early: false, extendedMs: 2_000 },
    });
    const text = renderHuman(s, plain);
    expect(text).toContain('Post-Deployment Verification: ❔ 2 INCONCLUSIVE');
    expect(text).toContain('  ❔ Error Rate: 21 requests (< 50 required) (< 1% threshold)');
    expect(text).toContain('  ✅ Smoke Tests: 1/1 passing');
    expect(text).toContain(
      '  Decided: inconclusive after 4.0s (green 21 requests, blue 10; 50 needed, window extended by 2s) → rollback (verify.onInconclusive); compared with r-1 over the 2s before the switch',
    );
    expect(s.verification?.samples).toEqual({ candidate: 21, baseline: 10, required: 50 });
  });

  it('a first release says there was nothing to compare with', () => {
    const s = summary({
      status: 'success',
      release: { id: 'r-1', version: '1.0.0', commit: null },
      previousRelease: null,
      post: [{ name: 'Error Rate', ok: true, value: '0%', threshold: '< 1%' }],
      rollback: { performed: false, reason: null },
      verification: { outcome: 'pass', decision: 'pass', samples: { candidate: 240, baseline: null, required: 200 }, baseline: null, decidedAtMs: 30_000, early: false, extendedMs: 0 },
    });
    expect(renderHuman(s, plain)).toContain('Decided: passed after 30.0s (green 240 requests; 200 needed); no earlier release to compare with: absolute limits only');
  });
});

describe('exit 4 in history: needs a human', () => {
  const uncertain = summary({
    status: 'failed',
    exitCode: 4,
    release: { id: 'r-2', version: '1.0.1', commit: null },
    previousRelease: 'r-1',
    post: [{ name: 'Error Rate', ok: false, value: '5%', threshold: '< 1%' }],
    rollback: { performed: true, reason: 'Error Rate 5% (threshold < 1%)', verified: false },
    message: 'Error Rate 5% (threshold < 1%); rolled back, but r-1 fails its own checks (smoke GET / answered 500): traffic is on r-1',
  });

  it('says what failed: the message, else the failed checks', () => {
    expect(needsHumanOf(uncertain)).toBe(uncertain.message);
    expect(needsHumanOf({ ...uncertain, message: undefined })).toBe('Error Rate: 5%');
    expect(needsHumanOf({ ...uncertain, message: undefined, checks: { pre: [], post: [] } })).toBe('the outcome could not be verified');
    expect(needsHumanOf({ ...uncertain, exitCode: 1 })).toBeNull();
  });

  it('deploy history shows it as needs a human, with what failed', () => {
    const record: HistoryRecord = {
      ts: '2026-01-02T03:04:05.000Z',
      type: 'deploy',
      environment: 'staging',
      status: 'failed',
      verified: false,
      release: { id: 'r-2', version: '1.0.1', commit: null, contentHash: null },
      user: 'ci',
      host: 'h',
      exitCode: 4,
      needsHuman: needsHumanOf(uncertain)!,
    };
    const line = formatRecord(record);
    expect(line).toContain('🆘 needs a human');
    expect(line).toContain('what: Error Rate 5% (threshold < 1%); rolled back, but r-1 fails its own checks');
    expect(line).not.toContain('❌ failed');
  });
});
