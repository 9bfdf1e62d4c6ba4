import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { doraStats } from '../../src/history/dora.js';
import { parseCommitTimes } from '../../src/history/commit-times.js';
import { formatStats } from '../../src/history/format-stats.js';
import { ensureBuilt } from '../setup/build.js';
import { makeProject, runCli } from '../cli/helpers.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => new Date(T0 + ms).toISOString();

function record(ts: number, fields: Partial<HistoryRecord>): HistoryRecord {
  return { ts: at(ts), type: 'deploy', environment: 'staging', status: 'success', verified: false, user: 'ci', host: 'h', ...fields };
}

/** A known history: commits A..D at T0 + 0..3 days; what happened to each deploy is spelled out beside it. */
function knownHistory(commits: Record<'A' | 'B' | 'C' | 'D', string>): HistoryRecord[] {
  const release = (commit: string) => ({ id: `r-${commit.slice(0, 7)}`, version: '1', commit, contentHash: null });
  return [
    record(2 * H, { release: release(commits.A), verified: true }), // lead time 2 h
    record(D + H, {
      release: release(commits.B),
      status: 'rolled_back',
      exitCode: 1,
      verification: { outcome: 'fail', decision: 'fail', samples: { candidate: 120, baseline: 600, required: 100 }, baseline: 'r-A', decidedAtMs: 4_000, early: true, extendedMs: 0 },
    }), // restored 4 s after the switch
    record(2 * D + 30 * 60_000, { release: release(commits.C), status: 'failed', exitCode: 4, needsHuman: 'rolled back, but r-B fails its own checks' }),
    record(2 * D + 50 * 60_000, { type: 'rollback', release: release(commits.A), status: 'success', verified: true }), // restored after 20 min
    record(2 * D + 55 * 60_000, { release: release(commits.C), status: 'failed', exitCode: 1 }), // green failed before the switch: not a deploy
    record(3 * D + 4 * H, { release: release(commits.D), verified: true }), // lead time 4 h
    record(3 * D + 5 * H, { status: 'blocked', exitCode: 3 }), // never deployed
  ];
}

const expected = {
  deploys: 4,
  periodDays: 3.1,
  deploysPerDay: 1.3,
  leadTime: { medianMs: 3 * H, count: 2 },
  changeFailureRate: { failed: 2, deploys: 4, rate: 0.5 },
  timeToRestore: { medianMs: (4_000 + 20 * 60_000) / 2, count: 2 },
};

describe('DORA figures from a known history', () => {
  const commits = { A: 'a'.repeat(40), B: 'b'.repeat(40), C: 'c'.repeat(40), D: 'd'.repeat(40) };
  const committed = new Map(Object.entries(commits).map(([name, sha]) => [sha, T0 + { A: 0, B: D, C: 2 * D, D: 3 * D }[name as 'A']]));

  it('computes frequency, lead time, change failure rate and time to restore', () => {
    expect(doraStats(knownHistory(commits), (sha) => committed.get(sha) ?? null)).toEqual(expected);
  });

  it('leaves out what cannot be known instead of guessing', () => {
    const stats = doraStats(knownHistory(commits), () => null);
    expect(stats.leadTime).toEqual({ medianMs: null, count: 0 });
    expect(doraStats([], () => null)).toMatchObject({ deploys: 0, changeFailureRate: { rate: null }, timeToRestore: { medianMs: null } });
    expect(formatStats('staging', doraStats([], () => null))).toContain('  Lead time for changes: n/a median, commit to verified (0 deploys)');
  });

  it('reads commit times from git log output', () => {
    expect(parseCommitTimes(`${'a'.repeat(40)} 1767225600\n\n${'b'.repeat(40)} 1767312000\n`)).toEqual(
      new Map([
        ['a'.repeat(40), 1767225600_000],
        ['b'.repeat(40), 1767312000_000],
      ]),
    );
  });
});

describe('deploy history --stats (built CLI, real git)', () => {
  let dir: string;
  const commits = {} as Record<'A' | 'B' | 'C' | 'D', string>;

  beforeAll(() => {
    ensureBuilt();
    dir = makeProject();
    const git = (env: Record<string, string>, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
    (['A', 'B', 'C', 'D'] as const).forEach((name, day) => {
      const date = at(day * D);
      git({ GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }, 'commit', '-q', '--allow-empty', '-m', `change ${name}`);
      commits[name] = git({}, 'rev-parse', 'HEAD');
    });
    mkdirSync(join(dir, '.deploy', 'staging'), { recursive: true });
    writeFileSync(join(dir, '.deploy', 'staging', 'history.jsonl'), knownHistory(commits).map((r) => JSON.stringify(r)).join('\n') + '\n');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the four figures, and the same as JSON', async () => {
    const json = await runCli(['history', 'staging', '--stats', '--json'], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ environment: 'staging', ...expected }]);
    const human = await runCli(['history', 'staging', '--stats'], { cwd: dir });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(
      [
        'staging: 4 deploys in 3.1 days (1.3 a day)',
        '  Deployment frequency: 1.3 a day',
        '  Lead time for changes: 3h median, commit to verified (2 deploys)',
        '  Change failure rate: 50% (2 of 4 rolled back or left for a human)',
        '  Time to restore: 10m 2s median (2 failures)',
        '',
      ].join('\n'),
    );
  });
});
