import type { ReleaseDiff } from './release-diff.js';

/** The one object printed by `deploy <env> --json`; documented in docs/json-output.md. */
export type DeployStatus = 'success' | 'rolled_back' | 'failed' | 'blocked';

export interface PreCheckResult {
  name: string;
  ok: boolean;
  /** A short figure, e.g. "185/185 passing" or "3 pending, ready to apply". Never a secret value. */
  detail: string;
  /** Warnings do not block (e.g. dirty working tree on staging). */
  warning?: boolean;
  /** Exit code this failure maps to (3 for checks, 5 for the lock). */
  exitCode?: number;
}

export interface PostCheckResult {
  name: string;
  ok: boolean;
  value: string;
  threshold: string;
  /** Not failed but not passed either: too few samples to tell (ok is false). */
  inconclusive?: boolean;
}

/** How post-deployment verification decided (src/verify/compare/judge.ts), with the samples it had. */
export interface VerificationReport {
  outcome: 'pass' | 'fail' | 'inconclusive';
  /** What the deploy did with it; an inconclusive outcome names the `verify.onInconclusive` policy that applied. */
  decision: 'pass' | 'fail' | 'inconclusive: rollback' | 'inconclusive: hold' | 'inconclusive: promote';
  /** Requests of the new release, and of the release it was compared with (null: no baseline, e.g. a first deploy). */
  samples: { candidate: number; baseline: number | null; required: number };
  /** What the new release was compared with, e.g. "blue r-20260101 over the 30s before the switch". */
  baseline: string | null;
  decidedAtMs: number;
  early: boolean;
  /** How far an inconclusive window was extended (probing) before the decision. */
  extendedMs: number;
}

/** Expand: safe while the release it replaces still runs, and for a rollback; contract: breaks one of them. */
export type MigrationKind = 'expand' | 'contract' | 'unclassified';

/** One migration file this deploy found pending, and what became of it (docs/migrations.md). */
export interface MigrationFileReport {
  name: string;
  state: 'pending' | 'applied' | 'failed';
  /** Read from the SQL it runs with PostgreSQL's parser; unclassified when the tool cannot print that SQL. */
  kind: MigrationKind;
  /** The statement that makes it a contract migration, or why it is unclassified. */
  statement?: string;
  reason?: string;
}

/** The Migrations section: never a post-deployment check. */
export interface MigrationsReport {
  tool: string;
  /** Null when the tool cannot list its pending migrations. */
  files: MigrationFileReport[] | null;
  /** The tool's own error lines when a migration failed, the database's error first (`ERROR: column "x" does not exist`). */
  errors?: string[];
  /** --allow-contract let contract migrations through. */
  contractAllowed?: boolean;
  /** A rollback across the applied migrations is schema-safe (all expand); null when one is unclassified. */
  rollbackSchemaSafe?: boolean | null;
}

/** One line per server of an environment deployed over SSH (`hosts:`), in the order they were rolled. */
export interface HostResult {
  host: string;
  status: DeployStatus;
  exitCode: number;
  release: string | null;
  message?: string;
}

export interface DeploySummary {
  status: DeployStatus;
  environment: string;
  strategy: string;
  platform: string;
  url: string;
  dryRun: boolean;
  release: { id: string; version: string; commit: string | null };
  checks: { pre: PreCheckResult[]; post: PostCheckResult[] };
  rollback: { performed: boolean; reason: string | null; command: string; verified?: boolean };
  durationMs: number;
  exitCode: number;
  /** One line for humans when something went wrong. */
  message?: string;
  /** Last lines of green's log when the deploy failed. */
  logTail?: string[];
  rollbackPlanPath?: string;
  /** Servers reached over SSH: how each one ended. */
  hosts?: HostResult[];
  /** With --dry-run: the planned steps and, on platforms that apply manifests, each manifest or patch as one YAML document. */
  plan?: { steps: string[]; manifests?: string[] };
  /** The plan steps the run executed, in order, as `--dry-run` prints them (src/rollout/steps.ts). */
  executed?: string[];
  verification?: VerificationReport;
  /** What shipped: commits, migration files and dependency changes since the release it replaced (src/shipped/). */
  shipped?: ReleaseDiff;
  /** Pending, applied and failed migrations with their expand/contract kind; absent when the project has none. */
  migrations?: MigrationsReport;
  /** Canary strategy: every step with its figures (src/strategies/step-gate.ts StepReport). */
  steps?: Array<{
    percent: number;
    ok: boolean;
    decided: string;
    durationMs: number;
    subject: { requests: number; errors: number; errorRate: number; p95Ms: number };
    baseline: { requests: number; errors: number; errorRate: number; p95Ms: number } | null;
    checks: PostCheckResult[];
    probes: number;
  }>;
}
