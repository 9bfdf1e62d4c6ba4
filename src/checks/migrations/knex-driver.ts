import type { MigrationDriver, MigrationsInput } from './types.js';
import { failure, runProjectBin } from './tool-cli.js';
import { knexFailure } from './tool-output.js';
import { knexPendingSql } from './knex-sql.js';

/** knex through the project's own CLI: `knex migrate:list` for status (and a rolled-back trial for the SQL), `knex migrate:latest` to apply. */
export const knexDriver: MigrationDriver = {
  async status(input) {
    const pending = await listPending(input);
    return { tool: 'knex', pending, sql: await knexPendingSql(input, pending) };
  },

  async apply(input) {
    const before = await listPending(input);
    const result = await runProjectBin(input, 'knex', ['migrate:latest'], true);
    if (result.skipped) return [];
    if (result.exitCode !== 0) throw failure('knex migrate:latest', result, knexFailure(result.text), await appliedSince(input, before));
    return appliedSince(input, before);
  },
};

/** What left the pending list; after a failure too (knex runs a batch in one transaction unless told otherwise). */
async function appliedSince(input: MigrationsInput, before: string[]): Promise<string[]> {
  const after = new Set(await listPending(input).catch(() => before));
  return before.filter((name) => !after.has(name));
}

async function listPending(input: MigrationsInput): Promise<string[]> {
  const result = await runProjectBin(input, 'knex', ['migrate:list'], false);
  if (result.exitCode !== 0) throw failure('knex migrate:list', result);
  return parseKnexPending(result.text);
}

/** `Found 3 Pending Migration file/files.` followed by one name per line, or `No Pending Migration files Found.` */
export function parseKnexPending(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /^Found \d+ Pending Migration/i.test(l));
  if (at === -1) return [];
  const count = Number(/^Found (\d+)/.exec(lines[at]!)![1]);
  return lines.slice(at + 1, at + 1 + count).filter(Boolean);
}
