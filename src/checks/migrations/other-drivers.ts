import type { MigrationDriver, MigrationsInput } from './types.js';
import { MigrationError } from './types.js';
import { failure, runProjectBin } from './tool-cli.js';
import { nodePgMigrateFailure, nodePgMigrateSql } from './tool-output.js';
import { processEnv } from '../process-env.js';

/**
 * Tools we drive through their own CLIs without an end-to-end test here (their engines or configs
 * are not installable offline). Status parsing follows each tool's documented output; when a tool
 * cannot tell what is pending we say so instead of guessing.
 */

/** `prisma migrate status` lists unapplied migrations after "have not yet been applied:"; `prisma migrate deploy` applies. */
export const prismaDriver: MigrationDriver = {
  async status(input) {
    const result = await runProjectBin(input, 'prisma', ['migrate', 'status'], false);
    const text = result.text;
    if (/Database schema is up to date/i.test(text)) return { tool: 'prisma', pending: [] };
    const block = /not yet been applied:\s*\n([\s\S]*?)(?:\n\s*\n|$)/i.exec(text);
    if (block) return { tool: 'prisma', pending: block[1]!.split('\n').map((l) => l.trim()).filter(Boolean) };
    throw failure('prisma migrate status', result);
  },
  async apply(input) {
    const before = (await prismaDriver.status(input)).pending ?? [];
    const result = await runProjectBin(input, 'prisma', ['migrate', 'deploy'], true);
    if (result.exitCode !== 0) throw failure('prisma migrate deploy', result);
    return result.skipped ? [] : before;
  },
};

/** node-pg-migrate: `up --dry-run` prints "> - <name>" lines and each one's SQL; `up` applies. */
export const nodePgMigrateDriver: MigrationDriver = {
  async status(input) {
    const result = await runProjectBin(input, 'node-pg-migrate', ['up', '--dry-run'], false);
    if (result.exitCode !== 0) throw failure('node-pg-migrate up --dry-run', result, nodePgMigrateFailure(result.text));
    const pending = parseNodePgMigrate(result.text);
    const printed = nodePgMigrateSql(result.text);
    const sql = Object.fromEntries(pending.map((name) => [name, name in printed ? { sql: printed[name]! } : { unclassified: 'node-pg-migrate --dry-run printed no SQL for it' }]));
    return { tool: 'node-pg-migrate', pending, sql };
  },
  async apply(input) {
    const before = (await nodePgMigrateDriver.status(input)).pending ?? [];
    const result = await runProjectBin(input, 'node-pg-migrate', ['up'], true);
    if (result.exitCode !== 0) {
      // One transaction for the whole run by default: what is no longer pending afterwards stayed applied.
      const after = new Set((await nodePgMigrateDriver.status(input).catch(() => null))?.pending ?? before);
      throw failure('node-pg-migrate up', result, nodePgMigrateFailure(result.text), before.filter((name) => !after.has(name)));
    }
    return parseNodePgMigrate(result.text);
  },
};

export function parseNodePgMigrate(text: string): string[] {
  if (/No migrations to run/i.test(text)) return [];
  return [...text.matchAll(/^>\s+-\s+(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** drizzle-kit has no status command; `drizzle-kit migrate` applies. */
export const drizzleDriver: MigrationDriver = {
  async status() {
    return { tool: 'drizzle', pending: null, note: 'drizzle-kit cannot list pending migrations; drizzle-kit migrate will run', warning: true };
  },
  async apply(input) {
    const result = await runProjectBin(input, 'drizzle-kit', ['migrate'], true);
    if (result.exitCode !== 0) throw failure('drizzle-kit migrate', result);
    return [];
  },
};

/** umzug is a library without a standard CLI: the project names its apply command in migrations.command. */
export const umzugDriver: MigrationDriver = {
  async status(input) {
    if (!input.command) throw new MigrationError('umzug has no standard CLI: set migrations.command to the command that applies your migrations');
    return { tool: 'umzug', pending: null, note: `umzug status unknown; "${input.command}" will run`, warning: true };
  },
  async apply(input: MigrationsInput) {
    if (!input.command) throw new MigrationError('umzug has no standard CLI: set migrations.command');
    const result = await input.executor.run({ file: input.command, args: [], shell: true, cwd: input.cwd, mutates: true, timeoutMs: input.timeoutMs ?? 120_000, env: { ...processEnv(), ...input.env } });
    if (result.exitCode !== 0) throw new MigrationError(`migrations.command failed (exit ${result.exitCode})`);
    return [];
  },
};
