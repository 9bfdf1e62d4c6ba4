import type * as z from 'zod';
import type { ConfigProblem } from '../config/issues.js';
import type { ResolvedEnvironment } from '../config/types.js';
import type { DeployContext, PlatformDriver, PreCheck } from '../orchestrator/types.js';
import type { DeployPlan } from '../orchestrator/plan.js';
import type { PlanStep } from '../rollout/steps.js';
import type { StepInput } from '../rollout/router-plan.js';
import type { ResumeResult } from './local/resume.js';

export type Strategy = 'blue-green' | 'canary';
export type RunKind = 'deploy' | 'rollback';

/**
 * What a platform can do. The core reads these instead of naming platforms: a strategy that is not listed is
 * refused when the config is read, `manifests` platforms list what they apply under --dry-run, `remote` ones are
 * asked for their own deployment list (`deploy history`) and status.
 */
export interface PlatformCapabilities {
  strategies: readonly Strategy[];
  /** Traffic can be split by exact weights (our router, a Gateway route); otherwise only whole switches. */
  weights: boolean;
  /** --dry-run lists the exact manifests and patches a real run would apply. */
  manifests: boolean;
  /** Releases run elsewhere (an API or a cluster): status and history ask the platform. */
  remote: boolean;
  /** Our router is in front and the previous release stays warm: switching back is instant. */
  warmSwitchBack: boolean;
  /** Our router serves the environment's public port (`deploy pause`, `maintenance`, `traffic` talk to it). */
  ownRouter: boolean;
}

/** The platform's own config section (`docker:`, `railway:`, ...): its schema with its defaults, and its rules. */
export interface PlatformSection<Raw = unknown, Resolved = unknown> {
  schema: z.ZodType;
  /** The section after the schema's defaults, in the shape the driver reads. */
  resolve(raw: Raw | undefined): Resolved;
  /** Cross-field rules of the section, for an environment on this platform; `at` builds a failing path. */
  problems?(raw: Raw | undefined, at: (key: string) => string, settings: { strategy?: string }): ConfigProblem[];
}

export interface DriverModule {
  createDriver?: () => PlatformDriver | Promise<PlatformDriver>;
  default?: PlatformDriver | (() => PlatformDriver | Promise<PlatformDriver>);
  /** Loads what deploy/rollback will import, while the orchestrator waits on the pre-checks. */
  preload?: () => Promise<unknown>;
}

export interface PlatformChecksModule {
  platformPreChecks?: (plan: DeployPlan) => PreCheck[] | Promise<PreCheck[]>;
  /** The release the platform serves now, for a rollback plan when this project has no deploy on record. */
  liveRelease?: (ctx: DeployContext) => Promise<{ id: string } | null>;
}

/**
 * A top-level setting that only the platforms declaring it read (`persist` and `dependencies`: release directories on
 * this machine; `hosts` and `ssh`: the same platform on servers over SSH). Set on another platform, it is refused
 * when the config is read: "<key>: not supported by platform <name><elsewhere>".
 */
export interface PlatformSetting {
  key: 'persist' | 'dependencies' | 'hosts' | 'ssh';
  /** What the refusal adds, e.g. "; its image or build installs the dependencies". */
  elsewhere: string;
}

/** `deploy resume`: brings back the environment's runtime and active release from its state (after a reboot). */
export interface ResumeModule {
  resumeEnvironment(config: ResolvedEnvironment): Promise<ResumeResult>;
}

/** One registry entry (src/platforms/registry.ts): everything the core knows about a platform. */
export interface PlatformSpec<Name extends string = string, Raw = unknown, Resolved = unknown> {
  name: Name;
  capabilities: PlatformCapabilities;
  /** Top-level settings this platform cannot run without, e.g. `start` and `port` for local processes. */
  requires: ReadonlyArray<{ key: 'start' | 'port'; why: string }>;
  section?: PlatformSection<Raw, Resolved>;
  /** Top-level settings this platform reads and others refuse (see PlatformSetting). */
  settings?: readonly PlatformSetting[];
  /** Why a capability is approximate, said in the plan (e.g. a replica-ratio canary). */
  approximations?(config: ResolvedEnvironment): string[];
  /** The typed steps of a deploy or rollback on this platform (src/rollout/steps.ts builds the router platforms' ones). */
  planSteps(config: ResolvedEnvironment, kind: RunKind, input: StepInput): PlanStep[];
  /** Extra run deadline beyond the common one (remote builds, cluster waits). */
  extraDeadlineMs?(config: ResolvedEnvironment): number;
  driver(): Promise<DriverModule>;
  /** `deploy status` reads the runtime's own status file (processes, uptime) instead of asking the driver. */
  runtimeStatus?(): Promise<typeof import('./local/runtime-status.js')>;
  preChecks?(): Promise<PlatformChecksModule>;
  /** Platforms whose processes we keep running ourselves; without it `deploy resume` has nothing to bring back. */
  resume?(): Promise<ResumeModule>;
  /** `deploy logs`: the active release's own log, where the platform keeps one; without it the command is refused. */
  appLog?(): Promise<typeof import('./local/app-log.js')>;
}
