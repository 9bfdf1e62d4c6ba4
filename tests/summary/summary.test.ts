import { Chalk } from 'chalk';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../src/summary/build.js';
import { renderHuman } from '../../src/summary/render-human.js';
import { renderJson } from '../../src/summary/render-json.js';
import { renderText } from '../../src/summary/render-text.js';
import { colorFor } from '../../src/summary/color.js';

const TOKENIZER = 'gpt-tokenizer o200k_base';
const BUDGET = 300;
/** `shipped` in the JSON: five subjects (clipped at 72 characters), migrations and dependencies. */
const SHIPPED_JSON_BUDGET = 250;

/** A normal, successful staging deploy, as the seed shows it. */
function normalSummary() {
  return buildSummary({
    environment: 'staging',
    strategy: 'blue-green',
    platform: 'local',
    url: 'http://localhost:4001',
    dryRun: false,
    pre: [
      { name: 'Tests', ok: true, detail: '185/185 passing' },
      { name: 'Migrations', ok: true, detail: '3 pending, ready to apply' },
      { name: 'Env Vars', ok: true, detail: 'All configured' },
      { name: 'Rollback Plan', ok: true, detail: 'Generated' },
    ],
    outcome: {
      status: 'success',
      release: { id: '20250102-030405-abc1234', version: 'v1.2.3', commit: 'abc1234def5678' },
      previousRelease: '20250101-120000-9f8e7d6',
      post: [
        { name: 'Smoke Tests', ok: true, value: '8/8 passing', threshold: 'all passing' },
        { name: 'Error Rate', ok: true, value: '0.1%', threshold: '< 1%' },
        { name: 'Response Times', ok: true, value: '245ms p95', threshold: '< 500ms' },
        { name: 'Database', ok: true, value: 'Connected', threshold: '' },
      ],
      rollback: { performed: false, reason: null },
      rollbackPlanPath: '.deploy/staging/rollback-plan.md',
    },
    durationMs: 135_000,
    shipped: {
      kind: 'diff',
      from: { release: '20250101-120000-9f8e7d6', commit: '9f8e7d6c5b4a3928' },
      to: 'abc1234def5678',
      commits: {
        count: 7,
        removed: 0,
        first: [
          { commit: 'abc1234', subject: 'Fix the login redirect after a password reset' },
          { commit: 'bcd2345', subject: 'Add the email column to users' },
          { commit: 'cde3456', subject: 'Upgrade express to 4.19.2' },
          { commit: 'def4567', subject: 'Show the order total with tax' },
          { commit: 'ef05678', subject: 'Log slow queries' },
        ],
      },
      migrations: ['A migrations/003_add_email.sql'],
      dependencies: { lockfiles: ['package-lock.json'], added: [{ name: 'zod', version: '3.23.8' }], removed: [], changed: [{ name: 'express', from: '4.18.2', to: '4.19.2' }], transitive: 12 },
    },
  });
}

const plain = new Chalk({ level: 0 });

describe('summary', () => {
  it('follows the seed output block', () => {
    const text = renderHuman(normalSummary(), plain);
    expect(text).toContain('Deployment Status: ✅ SUCCESS\n\nEnvironment: staging\nStrategy: blue-green\nURL: http://localhost:4001');
    expect(text).toContain('Pre-Deployment Checks: ✅ ALL PASSED\n  ✅ Tests: 185/185 passing\n  ✅ Migrations: 3 pending, ready to apply');
    expect(text).toContain('Deployment: ✅ COMPLETE\n  Duration: 2m 15s\n  Version: v1.2.3\n  Commit: abc1234');
    expect(text).toContain('  ✅ Error Rate: 0.1% (< 1% threshold)\n  ✅ Response Times: 245ms p95 (< 500ms threshold)\n  ✅ Database: Connected');
    expect(text).toContain('  ✅ Smoke Tests: 8/8 passing\n');
    expect(text).toContain('Rollback Plan: Available (manual: deploy rollback staging --to 20250101-120000-9f8e7d6)');
  });

  it('says what shipped since the replaced release: the count, two commits, migrations, dependencies', () => {
    const text = renderHuman(normalSummary(), plain);
    expect(text).toContain(
      'What Shipped: 7 commits since 20250101-120000-9f8e7d6\n' +
        '  abc1234 Fix the login redirect after a password reset\n  bcd2345 Add the email column to users\n' +
        '  Migrations: A migrations/003_add_email.sql\n  Dependencies: express 4.18.2 → 4.19.2, +zod 3.23.8 (12 transitive)\n',
    );
    expect(JSON.parse(renderJson(normalSummary())).shipped.commits.first).toHaveLength(5);
    const first = buildSummary({ environment: 'staging', strategy: 'blue-green', platform: 'local', url: '', dryRun: false, pre: [], durationMs: 1, shipped: { kind: 'first', from: null, to: 'abc' } });
    expect(renderHuman(first, plain)).toContain('What Shipped: first release\n');
    // The plain text counts only, and names the replaced release only when the rollback plan names another one.
    expect(renderText(normalSummary())).toContain('Release: 20250102-030405-abc1234 (version v1.2.3, commit abc1234) in 2m 15s\nShipped: 7 commits, 1 migration file, 14 dependency changes\n');
    const stopped = { ...normalSummary(), rollback: { performed: false, reason: null, command: 'deploy rollback staging --to r-0' } };
    expect(renderText(stopped)).toContain('Shipped: 7 commits, 1 migration file, 14 dependency changes since 20250101-120000-9f8e7d6\n');
    expect(renderText(first)).not.toContain('Shipped');
  });

  it('the JSON has the documented fields', () => {
    const s = JSON.parse(renderJson(normalSummary()));
    expect(s).toMatchObject({
      status: 'success',
      environment: 'staging',
      strategy: 'blue-green',
      url: 'http://localhost:4001',
      release: { id: '20250102-030405-abc1234', version: 'v1.2.3', commit: 'abc1234def5678' },
      rollback: { performed: false, reason: null, command: 'deploy rollback staging --to 20250101-120000-9f8e7d6' },
      durationMs: 135_000,
      exitCode: 0,
    });
    expect(s.checks.pre[0]).toEqual({ name: 'Tests', ok: true, detail: '185/185 passing' });
    expect(s.checks.post[1]).toEqual({ name: 'Error Rate', ok: true, value: '0.1%', threshold: '< 1%' });
  });

  it(`a normal summary stays within ${BUDGET} tokens, human and JSON (${TOKENIZER})`, () => {
    const human = encode(renderHuman(normalSummary(), plain)).length;
    // The JSON carries the release diff whole (five commit subjects, every migration file and dependency) for
    // programs; it is held to its own bound, and the rest of the object to the budget.
    const { shipped, ...rest } = normalSummary();
    const json = encode(renderJson(rest)).length;
    const diff = encode(JSON.stringify({ shipped })).length;
    console.log(`summary: human ${human} tokens, JSON ${json} tokens + ${diff} for what shipped (${TOKENIZER})`);
    expect(human).toBeLessThanOrEqual(BUDGET);
    expect(json).toBeLessThanOrEqual(BUDGET);
    expect(diff).toBeLessThanOrEqual(SHIPPED_JSON_BUDGET);
  });

  it('names the failed check with value and threshold after a rollback, exit 1', () => {
    const s = buildSummary({
      ...{ environment: 'staging', strategy: 'blue-green', platform: 'local', url: 'u', dryRun: false, pre: [], durationMs: 1000 },
      outcome: {
        status: 'rolled_back',
        release: { id: 'r2', version: '1.0.1', commit: null },
        previousRelease: 'r1',
        post: [{ name: 'Error Rate', ok: false, value: '5.2%', threshold: '< 1%' }],
        rollback: { performed: true, reason: 'Error Rate 5.2% (< 1% threshold)', verified: true },
      },
    });
    expect(s.exitCode).toBe(1);
    const text = renderHuman(s, plain);
    expect(text).toContain('Deployment Status: ↩️ ROLLED BACK');
    expect(text).toContain('❌ Error Rate: 5.2% (< 1% threshold)');
    expect(text).toContain('Rollback: performed (verified): Error Rate 5.2% (< 1% threshold)');
  });

  it('a failed pre-check blocks with its exit code; nothing deployed', () => {
    const s = buildSummary({
      ...{ environment: 'production', strategy: 'blue-green', platform: 'local', url: 'u', dryRun: false, durationMs: 10 },
      pre: [
        { name: 'Tests', ok: false, detail: '2 of 185 failing: a, b' },
        { name: 'Git', ok: true, warning: true, detail: 'dirty working tree' },
      ],
      activeRelease: 'r1',
    });
    expect(s).toMatchObject({ status: 'blocked', exitCode: 3, rollback: { command: 'deploy rollback production --to r1' } });
    const text = renderHuman(s, plain);
    expect(text).toContain('Pre-Deployment Checks: ❌ 1 FAILED\n  ❌ Tests: 2 of 185 failing: a, b\n  ⚠️ Git: dirty working tree');
    expect(text).toContain('Deployment: ⏭ NOT STARTED');
    const locked = buildSummary({ environment: 'e', strategy: 's', platform: 'p', url: '', dryRun: false, durationMs: 1, pre: [{ name: 'Deploy Lock', ok: false, detail: 'held', exitCode: 5 }] });
    expect(locked.exitCode).toBe(5);
  });

  it('honours NO_COLOR and non-TTY output', () => {
    expect(colorFor({ isTTY: true }, { NO_COLOR: '1' }).level).toBe(0);
    expect(colorFor({ isTTY: false }, {}).level).toBe(0);
    expect(colorFor({ isTTY: true }, {}).level).toBeGreaterThan(0);
    expect(renderHuman(normalSummary(), colorFor({ isTTY: true }, { NO_COLOR: '1' }))).not.toMatch(/\u001b\[/);
  });
});
