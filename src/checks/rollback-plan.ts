import { join, relative } from 'node:path';
import type { MigrationFileReport, PreCheckResult } from '../contracts/summary.js';
import { schemaSafe } from './migrations/report.js';
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
  /** Each pending migration's kind (expand, contract, unclassified), from the Migrations check. */
  classified?: MigrationFileReport[] | null;
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
  migrations: {
    tool: string | null;
    willApply: string[] | null;
    revertedAutomatically: false;
    applied?: string[];
    /** Contract and unclassified migrations by name, with what makes them so; the rest are expand. */
    notExpand?: Array<{ name: string; kind: 'contract' | 'unclassified'; why: string }>;
    /**
     * Whether the previous release runs on the schema after these migrations: true when all are expand, false when one
     * is a contract migration, null when one is unclassified or the tool cannot list them. Over `applied` once known.
     */
    schemaSafe: boolean | null;
  };
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
    migrations: { tool: input.migrationTool, willApply: input.migrations, revertedAutomatically: false, ...kinds(input.migrations, input.classified ?? null) },
    caveats,
  };
}

/** Schema safety over the named migrations, from their classification. */
function kinds(names: string[] | null, classified: MigrationFileReport[] | null): Pick<RollbackPlan['migrations'], 'notExpand' | 'schemaSafe'> {
  if (names === null) return { schemaSafe: null };
  const byName = new Map((classified ?? []).map((f) => [f.name, f]));
  const files = names.map((name): MigrationFileReport => byName.get(name) ?? { name, state: 'pending', kind: 'unclassified', reason: 'not classified' });
  const notExpand = files.filter((f) => f.kind !== 'expand').map((f) => ({ name: f.name, kind: f.kind as 'contract' | 'unclassified', why: f.kind === 'contract' ? `${f.reason}: ${f.statement}` : (f.reason ?? '') }));
  return { ...(notExpand.length ? { notExpand } : {}), schemaSafe: schemaSafe(files) };
}

/** One sentence for the markdown plan. */
function safetySentence(m: RollbackPlan['migrations']): string {
  const which = m.applied ? 'the migrations this deploy applied' : 'the migrations this deploy applies';
  if (m.schemaSafe === true) return `A rollback across ${which} is schema-safe: all are expand, so the previous release runs on the new schema.`;
  const list = (m.notExpand ?? []).map((f) => `${f.name} (${f.kind}: ${f.why})`).join('; ');
  if (m.schemaSafe === false) return `A rollback across ${which} is **NOT schema-safe**: the previous release expects the old schema. ${list}.`;
  return `Whether a rollback across ${which} is schema-safe is unknown${list ? `: ${list}` : ` (${m.tool} cannot list them ahead of time)`}.`;
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
  lines.push('', 'They are **not** reverted automatically.', '', safetySentence(plan.migrations), '', '## Caveats', '', ...plan.caveats.map((c) => `- ${c}`), '');
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
  if (update.applied) {
    // Safety over what really ran: the planned kinds, by name.
    const notExpand = (written.plan.migrations.notExpand ?? []).filter((f) => update.applied!.includes(f.name));
    plan.migrations.notExpand = notExpand.length ? notExpand : undefined;
    plan.migrations.schemaSafe = notExpand.some((f) => f.kind === 'contract') ? false : notExpand.length ? null : written.plan.migrations.willApply === null && update.applied.length ? null : true;
  }
  written.plan = plan;
  await Promise.all([writeJsonAtomic(written.jsonPath, plan), writeFileAtomic(written.markdownPath, renderMarkdown(plan))]);
  return plan;
}

/** What a rollback does to data, in the plan's words. */
export function dataCaveat(persist: readonly string[]): string {
  if (persist.length === 0) return 'A rollback changes the code, not the data: data in databases or outside the release stays as the new release left it. Files an app writes inside its release directory stay with that release (the Data Loss pre-check stops a deploy that would drop them; declare them with persist:).';
  return `A rollback changes the code, not the data: the persisted paths (${persist.join(', ')}) are shared by every release, so the release rolled back to reads what the new release wrote. Databases stay as the new release left them.`;
}
