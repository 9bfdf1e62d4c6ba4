import { listenOnHost, ON_HOST_VAR, parseHostEntry } from '../remote/ssh-target.js';
import { resolveRouter } from './router-schema.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { UserError } from '../errors.js';
import { bundleDefaults } from '../bundle/defaults.js';
import { defaultGuardPeriodMs } from '../guard/period.js';
import { loadRecipes } from '../bundle/load.js';
import type { Recipes } from '../bundle/schema.js';
import { parseDotenv } from './dotenv.js';
import { parseDuration } from './duration.js';
import { assertEnvironmentName } from './env-name.js';
import { ConfigError } from './errors.js';
import { findConfigFile } from './find.js';
import { interpolate } from './interpolate.js';
import { problemsFromIssues } from './issues.js';
import { deepMerge } from './merge.js';
import { parsePercent } from './percent.js';
import { MAX_CONFIG_BYTES, readConfigFile } from './read.js';
import { readRegularFile } from './regular-file.js';
import { checkRules, topLevel } from './rules.js';
import { DEFAULT_PLATFORM, PLATFORMS, platformSpec } from '../platforms/registry.js';
import { ConfigSchema, DEFAULT_TEST_TIMEOUT, EnvironmentSchema, type RawConfig, type RawSettings, type RawSmokeCheck, type RawRequiredVar, type Settings } from './schema.js';
import type { RequiredVar, ResolvedEnvironment, SmokeCheck } from './types.js';
import type { PlatformSections } from '../platforms/registry.js';
import { ExitCode } from '../errors.js';

export interface LoadOptions {
  /** --config <path>, relative to cwd. */
  configPath?: string;
}

export interface ResolveOptions extends LoadOptions {
  /** The process environment to interpolate from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** --strategy from the command line. */
  strategy?: 'blue-green' | 'canary';
  /** Injected recipes (tests); defaults to the shipped bundle. */
  recipes?: Recipes;
}

export interface LoadedConfig {
  path: string;
  projectRoot: string;
  config: RawConfig;
}

/** Finds, reads and validates the whole config file, reporting every problem at once. */
export async function loadConfig(cwd: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const path = findConfigFile(cwd, options.configPath);
  const data = await readConfigFile(path);
  const parsed = ConfigSchema.safeParse(data);
  const name = basename(path);
  if (!parsed.success) throw new ConfigError(name, problemsFromIssues(parsed.error.issues));
  // The file as written: the schema's defaults apply once an environment is merged over the top level.
  const config = data as RawConfig;
  const problems = checkRules(config);
  if (problems.length > 0) throw new ConfigError(name, problems);
  return { path, projectRoot: dirname(path), config };
}

/** Throws the one-line "unknown environment" error that lists the known ones. */
export function assertKnownEnvironment(config: RawConfig, environment: string): void {
  if (environment in config.environments) return;
  const known = Object.keys(config.environments);
  throw new UserError(`unknown environment "${environment}"; known: ${known.join(', ') || '(none)'}`);
}

/** (cwd, env, options) -> one environment, fully merged, interpolated and typed. Reads files; writes nothing. */
export async function resolveEnvironment(cwd: string, environment: string, options: ResolveOptions = {}): Promise<ResolvedEnvironment> {
  assertEnvironmentName(environment);
  const loaded = await loadConfig(cwd, options);
  assertKnownEnvironment(loaded.config, environment);
  const recipes = options.recipes ?? (await loadRecipes());
  return resolveLoaded(loaded, environment, recipes, options);
}

export async function resolveLoaded(loaded: LoadedConfig, environment: string, recipes: Recipes, options: ResolveOptions = {}): Promise<ResolvedEnvironment> {
  const { config, projectRoot } = loaded;
  const known = Object.keys(config.environments);
  let merged: RawSettings = deepMerge(deepMerge(bundleDefaults(recipes, environment, known), topLevel(config)), config.environments[environment]);
  if (options.strategy) {
    merged = { ...merged, strategy: options.strategy };
    assertStrategySupported(merged, environment, '--strategy');
  }

  // `${commit}` and `${release}` are known only when the run starts: they stay placeholders the platform fills in (image tags).
  const builtins = { environment, app: config.app, commit: '${commit}', release: '${release}' };
  const fileNames = (merged.env?.files ?? []).map((f) => interpolate(f, builtins).value);
  const files = fileNames.map((f) => resolvePath(projectRoot, f));
  const fileVars: Record<string, string> = {};
  for (const file of files) if (existsSync(file)) Object.assign(fileVars, parseDotenv(await readRegularFile(file, `env.files: ${relative(projectRoot, file)}`, MAX_CONFIG_BYTES, { followLink: true })));

  const processEnv = options.env ?? process.env;
  const vars: Record<string, string | undefined> = { ...fileVars, ...processEnv, ...builtins };
  const { env: envBlock, ...rest } = merged;
  const done = interpolate(rest, vars, new Set(Object.keys(builtins)));
  const settings: RawSettings = { ...done.value, env: envBlock };

  const recheck = EnvironmentSchema.safeParse(settings);
  if (!recheck.success) {
    const problems = problemsFromIssues(recheck.error.issues, ['environments', environment]).map((p) => ({ ...p, message: `${p.message} (after \${VAR} interpolation)` }));
    throw new ConfigError(basename(loaded.path), problems);
  }

  const required = (recheck.data.env?.required ?? []).map(toRequiredVar);
  const values: Record<string, string> = { ...fileVars };
  for (const { name } of required) if (processEnv[name] !== undefined) values[name] = processEnv[name]!;
  for (const name of Object.keys(fileVars)) if (processEnv[name] !== undefined) values[name] = processEnv[name]!;

  return toResolved(recheck.data, {
    app: config.app,
    environment,
    environments: known,
    projectRoot,
    configPath: loaded.path,
    files,
    required,
    values,
    missingVars: done.missing,
    secrets: [...new Set([...done.secrets, ...Object.values(values)])],
    onHost: processEnv[ON_HOST_VAR],
  });
}

interface ResolveContext {
  app: string;
  environment: string;
  environments: string[];
  projectRoot: string;
  configPath: string;
  files: string[];
  required: RequiredVar[];
  values: Record<string, string>;
  missingVars: string[];
  secrets: string[];
  /** The server this runs on, when a CLI sent the command there over SSH (src/remote/forward.ts). */
  onHost: string | undefined;
}

/** Where the router listens unless `listen:` says: only production is reachable from other machines by default. */
export function defaultListen(environment: string): string {
  return environment === 'production' ? '0.0.0.0' : '127.0.0.1';
}

/** A strategy the platform cannot run is refused with the field that asked for it (exit 2). */
function assertStrategySupported(merged: RawSettings, environment: string, field: string): void {
  const spec = platformSpec(merged.platform ?? DEFAULT_PLATFORM);
  const strategy = bundled(merged.strategy, 'strategy');
  if (!spec.capabilities.strategies.includes(strategy)) {
    throw new UserError(`${field}: platform ${spec.name} cannot run strategy ${strategy} (it supports ${spec.capabilities.strategies.join(', ')}) (environment ${environment})`, ExitCode.usage);
  }
}

/** A value the bundle always provides (recipes.yaml is validated); missing means a broken bundle, not a user error. */
function bundled<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`the deployment-recipes bundle gives no default for ${key}`);
  return value;
}

/** The schema's defaults are filled in and the bundle's are merged beneath: no fallbacks here. */
function toResolved(s: Settings, c: ResolveContext): ResolvedEnvironment {
  const ms = (text: string | undefined, key: string): number => parseDuration(bundled(text, key))!;
  const tests = s.tests;
  const migrations = s.migrations;
  const port = s.port ?? null;
  const sections = Object.fromEntries(PLATFORMS.map((p) => [p.name, p.name === s.platform && p.section ? p.section.resolve(s[p.name as keyof Settings] as never) : null]));
  return {
    app: c.app,
    environment: c.environment,
    environments: c.environments,
    projectRoot: c.projectRoot,
    configPath: c.configPath,
    stateDir: join(c.projectRoot, '.deploy', c.environment),
    platform: s.platform,
    strategy: bundled(s.strategy, 'strategy'),
    build: s.build ?? null,
    start: s.start ?? null,
    port,
    listen: listenOnHost(s.hosts ?? [], c.onHost) ?? s.listen ?? defaultListen(c.environment),
    url: s.url ?? (port ? `http://localhost:${port}` : ''),
    hosts: (s.hosts ?? []).map((entry, i) => parseHostEntry(entry, `environments.${c.environment}.hosts[${i}]`, s.ssh?.identityFile)),
    batch: s.batch,
    health: { path: bundled(s.health?.path, 'health.path'), timeoutMs: ms(s.health?.timeout, 'health.timeout'), intervalMs: ms(s.health?.interval, 'health.interval') },
    tests:
      tests === false
        ? { command: null, skip: true, timeoutMs: parseDuration(DEFAULT_TEST_TIMEOUT)! }
        : typeof tests === 'object'
          ? { command: tests.command, skip: false, timeoutMs: parseDuration(tests.timeout)! }
          : { command: tests ?? null, skip: false, timeoutMs: parseDuration(DEFAULT_TEST_TIMEOUT)! },
    migrations:
      typeof migrations === 'string'
        ? { mode: migrations, tool: null, dir: null, table: null, database: s.verify.database || null, command: null }
        : {
            mode: 'tool',
            tool: migrations.tool,
            dir: migrations.dir ?? null,
            table: migrations.table ?? null,
            database: migrations.database || s.verify.database || null,
            command: migrations.command ?? null,
          },
    env: { required: c.required, files: c.files, values: c.values },
    verify: {
      smoke: s.verify.smoke.map(toSmokeCheck),
      errorRate: parsePercent(bundled(s.verify.errorRate, 'verify.errorRate'))!,
      p95Ms: ms(s.verify.p95, 'verify.p95'),
      windowMs: ms(s.verify.window, 'verify.window'),
      minRequests: bundled(s.verify.minRequests, 'verify.minRequests'),
      database: s.verify.database || null,
      // An inconclusive window goes on for as long again unless verify.extend says otherwise.
      extendMs: s.verify.extend === undefined ? ms(s.verify.window, 'verify.window') : parseDuration(s.verify.extend)!,
      probe: s.verify.probe,
      onInconclusive: s.verify.onInconclusive,
    },
    requires: s.requires ?? null,
    maxAgeMs: parseDuration(s.maxAge)!,
    releases: { keep: bundled(s.releases?.keep, 'releases.keep') },
    persist: s.persist,
    dependencies: s.dependencies,
    keepWarmMs: ms(s.keepWarm, 'keepWarm'),
    drainTimeoutMs: ms(s.drainTimeout, 'drainTimeout'),
    // `guard: 30m` or `guard: { period, rollbackWhenCold }`; an object without a period keeps the bundle's.
    guardMs: typeof s.guard === 'object' && s.guard.period === undefined ? defaultGuardPeriodMs(c.environment) : ms(typeof s.guard === 'object' ? s.guard.period : s.guard, 'guard'),
    guardRollbackWhenCold: typeof s.guard === 'object' && s.guard.rollbackWhenCold,
    notify: s.notify ?? null,
    canary: { steps: bundled(s.canary.steps, 'canary.steps').map((p) => p / 100), intervalMs: ms(s.canary.interval, 'canary.interval'), sticky: s.canary.sticky },
    ...(sections as { [K in keyof PlatformSections]: PlatformSections[K] | null }),
    router: resolveRouter(s.router, c.projectRoot),
    missingVars: c.missingVars,
    secrets: c.secrets,
  };
}

export function toSmokeCheck(check: RawSmokeCheck): SmokeCheck {
  if (typeof check === 'string') {
    const [first, second] = check.split(' ');
    return second === undefined ? { method: 'GET', path: first, status: null, contains: null } : { method: first, path: second, status: null, contains: null };
  }
  return {
    method: check.method,
    path: check.path,
    status: check.status ?? null,
    contains: check.contains ?? null,
    ...(check.headers ? { headers: check.headers } : {}),
    ...(check.json ? { json: check.json } : {}),
  };
}

function toRequiredVar(v: RawRequiredVar): RequiredVar {
  if (typeof v === 'string') return { name: v, type: 'string', values: null, minLength: null };
  return { name: v.name, type: v.type, values: v.values ?? null, minLength: v.minLength ?? null };
}
