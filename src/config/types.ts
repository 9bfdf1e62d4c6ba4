import type { PlatformName, PlatformSections } from '../platforms/registry.js';
import type { SshTarget } from '../remote/ssh-target.js';
import type { RouterSettings } from '../router/settings.js';
import type { RawMigrations } from './schema.js';
import type { NotifyConfig } from '../notify/config-schema.js';

/** A smoke check after parsing: method, path and the expected status (null = any 2xx/3xx). */
export interface SmokeCheck {
  method: string;
  path: string;
  status: number | null;
  contains: string | null;
  headers?: Record<string, string> | null;
  json?: { path: string; equals?: string | number | boolean | null } | null;
}

export interface RequiredVar {
  name: string;
  type: 'string' | 'url' | 'number' | 'enum';
  values: string[] | null;
  minLength: number | null;
}

/**
 * One environment with the bundle's defaults, the top-level settings and its own settings merged,
 * `${VAR}` interpolated, durations in milliseconds and percentages as fractions.
 */
export type ResolvedEnvironment = CoreSettings & { [K in keyof PlatformSections]: PlatformSections[K] | null };

/** The platform-independent part; each platform's own section (`docker`, `railway`, ...) is set for that platform only. */
export interface CoreSettings {
  app: string;
  environment: string;
  /** Every environment in the config, for messages and the production gate. */
  environments: string[];
  projectRoot: string;
  configPath: string;
  /** <projectRoot>/.deploy/<environment>; nothing is created by resolving. */
  stateDir: string;
  platform: PlatformName;
  strategy: 'blue-green' | 'canary';
  build: string | null;
  start: string | null;
  port: number | null;
  /** The router's listen address: config `listen`, else 127.0.0.1, or 0.0.0.0 for production. */
  listen: string;
  url: string;
  /** Servers reached over SSH; empty: this machine. */
  hosts: SshTarget[];
  /** How many hosts are deployed at once (`batch`, default 1). */
  batch: number;
  health: { path: string; timeoutMs: number; intervalMs: number };
  /** command null with skip=false: no test command configured or detected by the config. */
  tests: { command: string | null; skip: boolean; timeoutMs: number };
  migrations: { mode: 'auto' | 'none' | 'tool'; tool: Exclude<RawMigrations, string>['tool'] | null; dir: string | null; table: string | null; database: string | null; command: string | null };
  env: {
    required: RequiredVar[];
    /** Absolute paths of the env files, existing or not. */
    files: string[];
    /** Values from the env files with the process environment on top, for the names the files define or `required` lists. Secret. */
    values: Record<string, string>;
  };
  verify: {
    smoke: SmokeCheck[];
    errorRate: number;
    p95Ms: number;
    windowMs: number;
    minRequests: number;
    /** Secret when interpolated; never print it. */
    database: string | null;
    /** Longest extension of an inconclusive window. */
    extendMs: number;
    /** Probe traffic when real traffic is short. */
    probe: boolean;
    onInconclusive: 'rollback' | 'hold' | 'promote';
  };
  requires: string | null;
  maxAgeMs: number;
  releases: { keep: number };
  /** `persist:` entries as written (src/releases/persist.ts). */
  persist: string[];
  dependencies: 'release' | 'shared';
  keepWarmMs: number;
  drainTimeoutMs: number;
  guardMs: number;
  /** `guard.rollbackWhenCold`: roll back on a guard breach even when the previous release is no longer warm. */
  guardRollbackWhenCold: boolean;
  /** The validated `notify:` block (docs/notifications.md); secrets are env var names here, never values. */
  notify: NotifyConfig | null;
  canary: { steps: number[]; intervalMs: number; sticky: boolean };
  /** `router:` (src/config/router-schema.ts), pushed to the router with `router.configure`. */
  router: RouterSettings;
  /** `${VAR}` names that were referenced but are not set. */
  missingVars: string[];
  /** Values substituted or loaded from env files: the redactor hides them everywhere. */
  secrets: string[];
}
