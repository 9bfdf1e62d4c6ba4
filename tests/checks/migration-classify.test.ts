import { describe, expect, it } from 'vitest';
import { classifySql } from '../../src/checks/migrations/classify.js';
import { contractRefusal } from '../../src/checks/migrations/contract-guard.js';
import { afterApply } from '../../src/checks/migrations/report.js';
import { MigrationError } from '../../src/checks/migrations/types.js';
import { knexFailure, nodePgMigrateFailure, nodePgMigrateSql } from '../../src/checks/migrations/tool-output.js';

describe('expand/contract, read by PostgreSQL\'s parser (libpg-query)', () => {
  const contract: Array<[string, string]> = [
    ['ALTER TABLE users DROP COLUMN email;', 'drops column users.email'],
    ['ALTER TABLE users RENAME COLUMN name TO full_name;', 'renames column users.name to full_name'],
    ['ALTER TABLE users RENAME TO people;', 'renames table users to people'],
    ['ALTER TABLE users ALTER COLUMN id TYPE bigint;', 'changes the type of column users.id'],
    ['ALTER TABLE users ALTER COLUMN email SET NOT NULL;', 'makes column users.email NOT NULL'],
    ['ALTER TABLE users ADD COLUMN age int NOT NULL;', 'adds column users.age NOT NULL without a default'],
    ['ALTER TABLE users ALTER COLUMN plan DROP DEFAULT;', 'drops the default of column users.plan'],
    ['DROP TABLE audit, old_audit;', 'drops table audit, old_audit'],
    ['DROP VIEW IF EXISTS public.report;', 'drops view public.report'],
    ['TRUNCATE sessions;', 'truncates a table (its rows cannot come back on rollback)'],
    ['ALTER TABLE users SET SCHEMA archive;', 'moves table users to schema archive'],
  ];
  it.each(contract)('contract: %s', async (sql, reason) => {
    expect(await classifySql(`-- a comment\nCREATE TABLE t (id int);\n${sql}`)).toEqual({ kind: 'contract', statement: sql.replace(/;$/, ''), reason });
  });

  const expand = [
    'ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0;',
    'ALTER TABLE users ADD COLUMN nickname text;',
    'ALTER TABLE users ADD COLUMN id2 bigserial NOT NULL;',
    'ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;',
    'CREATE TABLE orders (id serial PRIMARY KEY, total numeric NOT NULL);',
    'CREATE INDEX CONCURRENTLY orders_total ON orders (total);',
    'DROP INDEX orders_total;',
    'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;',
    "UPDATE users SET nickname = 'x' WHERE nickname IS NULL;",
    "-- ALTER TABLE users DROP COLUMN email;\nSELECT 'DROP TABLE users';",
    "DO $$ BEGIN EXECUTE 'SELECT 1'; END $$;",
  ];
  it.each(expand)('expand: %s', async (sql) => {
    expect(await classifySql(sql)).toEqual({ kind: 'expand' });
  });

  it('quotes the statement by its byte offsets, also after non-ASCII text', async () => {
    const found = await classifySql("INSERT INTO t VALUES ('héllo wörld ✓');\nALTER TABLE   t\n  DROP COLUMN  x;");
    expect(found.statement).toBe('ALTER TABLE t DROP COLUMN x');
  });

  it('SQL the parser rejects is unclassified, with its reason', async () => {
    expect(await classifySql('ALTER TABL users DROP x;')).toEqual({ kind: 'unclassified', reason: 'PostgreSQL\'s parser rejects it: syntax error at or near "TABL"' });
  });

  it('the refusal names the file, the statement, the recipe and the override', () => {
    const detail = contractRefusal([
      { name: '001_add.sql', state: 'pending', kind: 'expand' },
      { name: '002_drop.sql', state: 'pending', kind: 'contract', statement: 'ALTER TABLE users DROP COLUMN email', reason: 'drops column users.email' },
    ]);
    expect(detail).toBe(
      'contract migration 002_drop.sql: `ALTER TABLE users DROP COLUMN email` drops column users.email, which breaks the live release and any rollback; expand/contract: add the new column or table, backfill it and switch the code in this release; drop the old one in a later release, once no running release needs it (docs/migrations.md); --allow-contract deploys it anyway',
    );
    expect(contractRefusal([{ name: '001_add.sql', state: 'pending', kind: 'unclassified', reason: 'x' }])).toBeNull();
  });

  it('after the apply step: applied, failed with the tool\'s lines, and the rollback\'s schema safety', () => {
    const report = { tool: 'sql', files: [
      { name: 'a.sql', state: 'pending' as const, kind: 'expand' as const },
      { name: 'b.sql', state: 'pending' as const, kind: 'expand' as const },
      { name: 'c.sql', state: 'pending' as const, kind: 'expand' as const },
    ] };
    const error = new MigrationError('m', ['a.sql'], { failed: 'b.sql', errors: ['ERROR: column "x" does not exist'] });
    expect(afterApply(report, ['a.sql'], error)).toEqual({
      tool: 'sql',
      files: [
        { name: 'a.sql', state: 'applied', kind: 'expand' },
        { name: 'b.sql', state: 'failed', kind: 'expand' },
        { name: 'c.sql', state: 'pending', kind: 'expand' },
      ],
      errors: ['ERROR: column "x" does not exist'],
      rollbackSchemaSafe: true,
    });
    const withContract = { tool: 'sql', files: [{ name: 'd.sql', state: 'pending' as const, kind: 'contract' as const, statement: 's', reason: 'r' }] };
    expect(afterApply(withContract, ['d.sql'], null).rollbackSchemaSafe).toBe(false);
    expect(afterApply({ tool: 'drizzle', files: null }, ['x'], null).rollbackSchemaSafe).toBeNull();
  });
});

describe('the migration tools\' own error lines', () => {
  it('knex: the file and PostgreSQL\'s message, apart from the statement', () => {
    const out = 'Using environment: development\nmigration file "20240102_bad.js" failed\nmigration failed with error: alter table "users" drop column "nope" - column "nope" of relation "users" does not exist\nerror: alter table "users" drop column "nope" - column "nope" of relation "users" does not exist\n    at parseErrorMessage (/x/parser.js:306:11)\n';
    expect(knexFailure(out)).toEqual({ failed: '20240102_bad.js', errors: ['ERROR: column "nope" of relation "users" does not exist', 'STATEMENT: alter table "users" drop column "nope"'] });
  });

  it('node-pg-migrate: the file it was running and the error after "Error executing:"', () => {
    const out = '> Migrating files:\n> - 1_users\n> - 2_bad\n### MIGRATION 1_users (UP) ###\nCREATE TABLE "users" ();\n\n### MIGRATION 2_bad (UP) ###\nALTER TABLE users DROP COLUMN nope;\n\nError executing:\nALTER TABLE users DROP COLUMN nope;\nerror: column "nope" of relation "users" does not exist\n\n> Rolling back attempted migration ...\nerror: column "nope" of relation "users" does not exist\n    at /x/client.js:694:17\n{\n  length: 113,\n  severity: \'ERROR\',\n}\n';
    expect(nodePgMigrateFailure(out)).toEqual({ failed: '2_bad', errors: ['ERROR: column "nope" of relation "users" does not exist', 'STATEMENT: ALTER TABLE users DROP COLUMN nope;'] });
    expect(nodePgMigrateSql(out.split('Error executing:')[0]!)).toEqual({ '1_users': 'CREATE TABLE "users" ();\n\n', '2_bad': 'ALTER TABLE users DROP COLUMN nope;\n\n\n' });
  });
});
