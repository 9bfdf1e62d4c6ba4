import type { MigrationsReport, PreCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import { detectMigrationTool } from './detect.js';
import { knexDriver } from './knex-driver.js';
import { drizzleDriver, nodePgMigrateDriver, prismaDriver, umzugDriver } from './other-drivers.js';
import { sqlDriver } from './sql-driver.js';
import type { MigrationDriver, MigrationsInput, MigrationStatus, MigrationTool } from './types.js';
import { MigrationError } from './types.js';
import { classifyPending } from './report.js';
import { contractAllowedNote, contractRefusal } from './contract-guard.js';

export type { MigrationsInput, MigrationStatus, MigrationTool } from './types.js';
export { afterApply } from './report.js';
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
  /** The summary's Migrations section as the check found it (each pending file classified); null without a tool. */
  report: MigrationsReport | null;
  /** The tracking table's names, when the driver read them (MigrationStatus.recorded). */
  recorded?: string[];
}

/** How contract migrations are treated: refused while a release serves (blue-green and canary), unless allowed. */
export interface ContractPolicy {
  /** A release is live: it keeps serving while the migrations run, and a rollback returns to it. */
  liveRelease: boolean;
  /** --allow-contract */
  allowContract: boolean;
}

/** Read-only: finds the tool, checks the database is reachable and reports what is pending. Applies nothing. */
export async function checkMigrations(input: MigrationsInput, policy: ContractPolicy = { liveRelease: false, allowContract: false }): Promise<MigrationsCheck> {
  if (input.mode === 'none') return { result: { name: NAME, ok: true, detail: 'skipped (migrations: none)' }, tool: null, pending: [], report: null };
  const tool = await resolveTool(input);
  if (!tool) return { result: { name: NAME, ok: true, detail: 'none detected' }, tool: null, pending: [], report: null };
  try {
    const status = await drivers[tool].status(input);
    const report: MigrationsReport = { tool, files: await classifyPending(status), ...(policy.allowContract ? { contractAllowed: true } : {}) };
    return { result: judge(status, report, policy), tool, pending: status.pending, report, ...(status.recorded ? { recorded: status.recorded } : {}) };
  } catch (error) {
    const detail = error instanceof MigrationError ? error.message : `${tool} check failed: ${(error as Error).message}`;
    return { result: { name: NAME, ok: false, detail: redact(input, detail), exitCode: ExitCode.precheckFailed }, tool, pending: null, report: { tool, files: null } };
  }
}

/** A contract migration blocks (exit 3) while a release serves, unless --allow-contract; then it is a warning. */
function judge(status: MigrationStatus, report: MigrationsReport, policy: ContractPolicy): PreCheckResult {
  const described = describe(status);
  if (!policy.liveRelease) return described;
  const refusal = contractRefusal(report.files);
  if (refusal && !policy.allowContract) return { name: NAME, ok: false, detail: refusal, exitCode: ExitCode.precheckFailed };
  const allowed = contractAllowedNote(report.files);
  return allowed ? { ...described, warning: true, detail: `${described.detail}; ${allowed}` } : described;
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
    if (error instanceof MigrationError) {
      throw new MigrationError(redact(input, error.message), error.applied, { failed: error.failed, errors: error.errors.map((line) => redact(input, line)) });
    }
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
