import type { PreCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import { detectMigrationTool } from './detect.js';
import { knexDriver } from './knex-driver.js';
import { drizzleDriver, nodePgMigrateDriver, prismaDriver, umzugDriver } from './other-drivers.js';
import { sqlDriver } from './sql-driver.js';
import type { MigrationDriver, MigrationsInput, MigrationStatus, MigrationTool } from './types.js';
import { MigrationError } from './types.js';

export type { MigrationsInput, MigrationStatus, MigrationTool } from './types.js';
export { MigrationError } from './types.js';

const NAME = 'Migrations';
const SHOWN = 5;

const drivers: Record<MigrationTool, MigrationDriver> = {
  sql: sqlDriver,
  knex: knexDriver,
  prisma: prismaDriver,
  drizzle: drizzleDriver,
  'node-pg-migrate': nodePgMigrateDriver,
  umzug: umzugDriver,
};

export interface MigrationsCheck {
  result: PreCheckResult;
  tool: MigrationTool | null;
  /** Pending names (null when the tool cannot tell); the rollback plan lists them. */
  pending: string[] | null;
}

/** Read-only: finds the tool, checks the database is reachable and reports what is pending. Applies nothing. */
export async function checkMigrations(input: MigrationsInput): Promise<MigrationsCheck> {
  if (input.mode === 'none') return { result: { name: NAME, ok: true, detail: 'skipped (migrations: none)' }, tool: null, pending: [] };
  const tool = await resolveTool(input);
  if (!tool) return { result: { name: NAME, ok: true, detail: 'none detected' }, tool: null, pending: [] };
  try {
    const status = await drivers[tool].status(input);
    return { result: describe(status), tool, pending: status.pending };
  } catch (error) {
    const detail = error instanceof MigrationError ? error.message : `${tool} check failed: ${(error as Error).message}`;
    return { result: { name: NAME, ok: false, detail: redact(input, detail), exitCode: ExitCode.precheckFailed }, tool, pending: null };
  }
}

export interface AppliedMigrations {
  tool: MigrationTool | null;
  applied: string[];
}

/** Applies pending migrations (after the checks pass, before green starts). Throws MigrationError with `applied` on failure. */
export async function applyMigrations(input: MigrationsInput): Promise<AppliedMigrations> {
  if (input.mode === 'none') return { tool: null, applied: [] };
  const tool = await resolveTool(input);
  if (!tool) return { tool: null, applied: [] };
  try {
    return { tool, applied: await drivers[tool].apply(input) };
  } catch (error) {
    if (error instanceof MigrationError) throw new MigrationError(redact(input, error.message), error.applied);
    throw new MigrationError(redact(input, `${tool} migrations failed: ${(error as Error).message}`));
  }
}

async function resolveTool(input: MigrationsInput): Promise<MigrationTool | null> {
  if (input.mode === 'tool' && input.tool) return input.tool;
  return detectMigrationTool(input.cwd, input.dir);
}

function describe(status: MigrationStatus): PreCheckResult {
  const note = status.note ? ` (${status.note})` : '';
  const base = { name: NAME, ok: true, ...(status.warning ? { warning: true } : {}) };
  if (status.pending === null) return { ...base, detail: `${status.tool}: pending count unknown${note}` };
  if (status.pending.length === 0) return { ...base, detail: `up to date${note}` };
  const names = status.pending.slice(0, SHOWN).join(', ') + (status.pending.length > SHOWN ? ', …' : '');
  return { ...base, detail: `${status.pending.length} pending, ready to apply: ${names}${note}` };
}

/** Error text from drivers or a database can quote the connection URL; the executor's redactor knows the secrets. */
function redact(input: MigrationsInput, text: string): string {
  let out = input.executor.redactor.redact(text);
  if (input.database) out = out.split(input.database).join('***');
  return out;
}
