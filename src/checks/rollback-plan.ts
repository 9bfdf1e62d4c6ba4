import { join, relative } from 'node:path';
import type { PreCheckResult } from '../contracts/summary.js';
import { writeFileAtomic, writeJsonAtomic } from '../state/atomic-write.js';
import { isPlatform, platformSpec } from '../platforms/registry.js';

export interface ReleaseRef {
  /** Null for the release about to be made: its id is assigned when it is created. */
  id: string | null;
  version?: string | null;
  commit?: string | null;
}

export interface RollbackPlanInput {
  /** `<projectRoot>/.deploy/<env>`. */
  stateDir: string;
  projectRoot: string;
  environment: string;
  platform: string;
  strategy: string;
  /** The release serving now (blue); null on the first deploy. */
  current: (ReleaseRef & { id: string }) | null;
  /** The release about to be deployed (green). */
  next: ReleaseRef;
  /** Migrations this deploy will apply; null when the tool cannot tell. */
  migrations: string[] | null;
  migrationTool: string | null;
  /** How long blue stays warm after a successful deploy. */
  keepWarmMs: number;
  /** `persist:` entries (local platform): what a rollback does to data is said in the plan. */
  persist?: readonly string[];
  now?: Date;
  /** --dry-run: build the plan, write nothing. */
  dryRun?: boolean;
}

export interface RollbackPlan {
  environment: string;
  generatedAt: string;
  current: (ReleaseRef & { id: string }) | null;
  next: ReleaseRef;
  /** The exact command, or null when there is nothing to go back to. */
  command: string | null;
  traffic: string;
  migrations: { tool: string | null; willApply: string[] | null; revertedAutomatically: false; applied?: string[] };
  caveats: string[];
}

export interface RollbackPlanResult {
  result: PreCheckResult;
  plan: RollbackPlan;
  jsonPath: string;
  markdownPath: string;
}

/** Builds the plan purely; `writeRollbackPlan` then stores it. */
export function buildRollbackPlan(input: RollbackPlanInput): RollbackPlan {
  const current = input.current;
  const command = current ? `deploy rollback ${input.environment} --to ${current.id}` : null;
  const warm = formatDuration(input.keepWarmMs);
  const traffic = current
    ? isPlatform(input.platform) && platformSpec(input.platform).capabilities.warmSwitchBack
      ? `Release ${current.id} (blue) keeps running while the new release (green) starts. If verification fails the router switches traffic back to ${current.id} automatically. After a successful deploy ${current.id} stays warm for ${warm}, so \`${command}\` is an instant router switch; later it restarts ${current.id} from its release directory first.`
      : `Release ${current.id} stays available on ${input.platform}; \`${command}\` points traffic back to it.`
    : `This is the first deploy of ${input.environment}: there is no previous release to return to. If verification fails, the new release is stopped; \`deploy stop ${input.environment}\` stops it later.`;
  const caveats = [
    'Database migrations are not reverted automatically. The previous release must work with the migrated schema (expand/contract, see docs/migrations.md).',
    dataCaveat(input.persist ?? []),
    'Changes to environment variables or env files are not reverted; the previous release restarts with the current ones.',
  ];
  if (input.migrations === null && input.migrationTool) caveats.push(`${input.migrationTool} cannot list pending migrations ahead of time; check its own history after the deploy.`);
  return {
    environment: input.environment,
    generatedAt: (input.now ?? new Date()).toISOString(),
    current,
    next: input.next,
    command,
    traffic,
    migrations: { tool: input.migrationTool, willApply: input.migrations, revertedAutomatically: false },
    caveats,
  };
}

/** Writes `rollback-plan.json` and its human twin `rollback-plan.md` atomically, before anything changes. */
export async function writeRollbackPlan(input: RollbackPlanInput): Promise<RollbackPlanResult> {
  const plan = buildRollbackPlan(input);
  const jsonPath = join(input.stateDir, 'rollback-plan.json');
  const markdownPath = join(input.stateDir, 'rollback-plan.md');
  const shown = relative(input.projectRoot, markdownPath) || markdownPath;
  if (input.dryRun) {
    return { plan, jsonPath, markdownPath, result: { name: 'Rollback Plan', ok: true, detail: `would be written to ${shown} (dry run)` } };
  }
  // Two independent files: written (and fsynced) at once.
  await Promise.all([writeJsonAtomic(jsonPath, plan), writeFileAtomic(markdownPath, renderMarkdown(plan))]);
  const how = plan.command ? `\`${plan.command}\`` : 'first deploy, nothing to roll back to';
  return { plan, jsonPath, markdownPath, result: { name: 'Rollback Plan', ok: true, detail: `generated (${shown}; ${how})` } };
}

export function renderMarkdown(plan: RollbackPlan): string {
  const release = (r: ReleaseRef): string => {
    const bits = [r.version ? `version ${r.version}` : '', r.commit ? `commit ${r.commit.slice(0, 7)}` : ''].filter(Boolean);
    const id = r.id ?? 'new release';
    return bits.length ? `${id} (${bits.join(', ')})` : id;
  };
  const lines = [
    `# Rollback plan: ${plan.environment}`,
    '',
    `Generated ${plan.generatedAt}.`,
    '',
    `- Current release: ${plan.current ? release(plan.current) : 'none (first deploy)'}`,
    `- Deploying: ${release(plan.next)}`,
    `- Command: ${plan.command ? `\`${plan.command}\`` : 'none'}`,
    '',
    '## How traffic returns',
    '',
    plan.traffic,
    '',
    '## Migrations this deploy applies',
    '',
  ];
  const applies = plan.migrations.willApply;
  if (plan.migrations.applied) lines.push(`Applied by this deploy: ${plan.migrations.applied.length ? plan.migrations.applied.join(', ') : 'none'}.`, '', 'Planned:', '');
  if (applies === null) lines.push(`Unknown ahead of time (${plan.migrations.tool}).`);
  else if (applies.length === 0) lines.push('None.');
  else lines.push(...applies.map((name) => `- ${name}`));
  lines.push('', 'They are **not** reverted automatically.', '', '## Caveats', '', ...plan.caveats.map((c) => `- ${c}`), '');
  return lines.join('\n');
}

function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 1000)}s`;
  return `${ms}ms`;
}

/** After the apply step: records what was actually applied (and the new release id) in both files. */
export async function recordRollbackPlanProgress(written: RollbackPlanResult, update: { applied?: string[]; nextId?: string }): Promise<RollbackPlan> {
  const plan: RollbackPlan = {
    ...written.plan,
    next: { ...written.plan.next, ...(update.nextId ? { id: update.nextId } : {}) },
    migrations: { ...written.plan.migrations, ...(update.applied ? { applied: update.applied } : {}) },
  };
  written.plan = plan;
  await Promise.all([writeJsonAtomic(written.jsonPath, plan), writeFileAtomic(written.markdownPath, renderMarkdown(plan))]);
  return plan;
}

/** What a rollback does to data, in the plan's words. */
export function dataCaveat(persist: readonly string[]): string {
  if (persist.length === 0) return 'A rollback changes the code, not the data: data in databases or outside the release stays as the new release left it. Files an app writes inside its release directory stay with that release (the Data Loss pre-check stops a deploy that would drop them; declare them with persist:).';
  return `A rollback changes the code, not the data: the persisted paths (${persist.join(', ')}) are shared by every release, so the release rolled back to reads what the new release wrote. Databases stay as the new release left them.`;
}
