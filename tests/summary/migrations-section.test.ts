import { Chalk } from 'chalk';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { buildSummary } from '../../src/summary/build.js';
import { renderHuman } from '../../src/summary/render-human.js';
import { renderText } from '../../src/summary/render-text.js';
import { migrationFailed } from '../../src/rollout/migrate.js';
import type { MigrationsReport } from '../../src/contracts/summary.js';

const plain = new Chalk({ level: 0 });
const release = { id: '20261206-1010-abc1234', version: '1.4.0', commit: 'abc1234def', contentHash: null } as Parameters<typeof migrationFailed>[0];
const failedReport: MigrationsReport = {
  tool: 'knex',
  files: [
    { name: '20261201_add_plan.js', state: 'applied', kind: 'expand' },
    { name: '20261202_backfill.js', state: 'failed', kind: 'expand' },
    { name: '20261203_orders.js', state: 'pending', kind: 'unclassified', reason: 'knex runs it outside a transaction' },
  ],
  errors: ['ERROR: column "nope" of relation "users" does not exist', 'STATEMENT: update "users" set "nope" = $1'],
  rollbackSchemaSafe: true,
};

function failedSummary() {
  return buildSummary({
    environment: 'staging',
    strategy: 'blue-green',
    platform: 'local',
    url: 'http://localhost:4001',
    dryRun: false,
    pre: [
      { name: 'Tests', ok: true, detail: '185/185 passing' },
      { name: 'Migrations', ok: true, detail: '3 pending, ready to apply: 20261201_add_plan.js, 20261202_backfill.js, 20261203_orders.js' },
      { name: 'Env Vars', ok: true, detail: 'All configured' },
      { name: 'Git', ok: true, detail: 'commit abc1234, clean' },
      { name: 'Rollback Plan', ok: true, detail: 'generated (.deploy/staging/rollback-plan.md; `deploy rollback staging --to 20261205-0900-9f8e7d6`)' },
    ],
    outcome: migrationFailed(release, '20261205-0900-9f8e7d6', 'knex migrate:latest failed at 20261202_backfill.js (exit 1): ERROR: column "nope" of relation "users" does not exist', ['20261201_add_plan.js']),
    migrations: failedReport,
    durationMs: 4_200,
  });
}

describe('the Migrations section', () => {
  it('human: each file with its state and kind, the tool\'s error lines under the failed one, the rollback\'s schema safety; no post-deployment check', () => {
    const text = renderHuman(failedSummary(), plain);
    expect(text).toContain(
      [
        'Migrations (knex): 1 applied, 1 failed, 1 pending',
        '  ✅ 20261201_add_plan.js: applied, expand',
        '  ❌ 20261202_backfill.js: failed, expand',
        '      ERROR: column "nope" of relation "users" does not exist',
        '      STATEMENT: update "users" set "nope" = $1',
        '  ⏸ 20261203_orders.js: pending, unclassified (knex runs it outside a transaction)',
        '  Rollback across them: schema-safe (all expand)',
      ].join('\n'),
    );
    expect(text).not.toContain('Post-Deployment Verification');
    expect(text).not.toContain('stopped before it got traffic');
    expect(text).toContain('green 20261206-1010-abc1234 was never started, 20261205-0900-9f8e7d6 still serves');
  });

  it('plain text: one line with the database\'s error, within the 300-token budget', () => {
    const text = renderText(failedSummary());
    expect(text).toContain('Migrations (knex): applied 20261201_add_plan.js (expand), failed 20261202_backfill.js (expand), pending 20261203_orders.js (unclassified); ERROR: column "nope" of relation "users" does not exist; rollback schema-safe (all expand)');
    const tokens = encode(text).length;
    console.log(`plain-text summary of a failed knex migration: ${tokens} tokens (o200k_base)`);
    expect(tokens).toBeLessThanOrEqual(300);
  });

  it('JSON carries the report as is; a project without migrations has no section', () => {
    expect(failedSummary().migrations).toEqual(failedReport);
    const none = buildSummary({ environment: 'staging', strategy: 'blue-green', platform: 'local', url: '', dryRun: false, pre: [], durationMs: 1, migrations: null });
    expect(none).not.toHaveProperty('migrations');
    expect(renderHuman(none, plain)).not.toContain('Migrations');
  });
});

describe('the plain-text Migrations line', () => {
  const base = { environment: 'staging', strategy: 'blue-green', platform: 'local', url: '', dryRun: false, pre: [], durationMs: 1 };
  it('appears for a failure or a rollback that is not schema-safe, not for expand migrations that went well', () => {
    const applied = (kind: 'expand' | 'contract'): MigrationsReport => ({ tool: 'sql', files: [{ name: '002.sql', state: 'applied', kind, ...(kind === 'contract' ? { statement: 'DROP TABLE a', reason: 'drops table a' } : {}) }], rollbackSchemaSafe: kind === 'expand' });
    expect(renderText(buildSummary({ ...base, migrations: applied('expand') }))).not.toContain('Migrations');
    expect(renderText(buildSummary({ ...base, migrations: applied('contract') }))).toContain('Migrations (sql): applied 002.sql (contract); rollback NOT schema-safe (contract migration applied)');
  });
});
