import { isAbsolute, normalize } from 'node:path';
import type { ConfigProblem } from './issues.js';
import { deepMerge } from './merge.js';
import { RESERVED_ENV_NAMES } from './env-name.js';
import type { RawConfig, RawSettings } from './schema.js';
import { DEFAULT_PLATFORM, PLATFORMS, platformSpec } from '../platforms/registry.js';

/**
 * Cross-field rules, each a small named function over the validated file. They see every
 * environment merged over the top level, so a problem is found whichever env is deployed.
 */
type Rule = (config: RawConfig, env: string, merged: RawSettings) => ConfigProblem[];

const at = (env: string, key: string) => `environments.${env}.${key}`;

const reservedName: Rule = (_config, env) =>
  (RESERVED_ENV_NAMES as readonly string[]).includes(env) ? [{ path: `environments.${env}`, message: `"${env}" is a command name; choose another environment name` }] : [];

const requiresKnownEnvironment: Rule = (config, env, merged) => {
  if (merged.requires === undefined) return [];
  if (merged.requires === env) return [{ path: at(env, 'requires'), message: 'an environment cannot require itself' }];
  if (!(merged.requires in config.environments)) return [{ path: at(env, 'requires'), message: `unknown environment "${merged.requires}"` }];
  return [];
};

/**
 * Only production's own `tests: false` is refused here. A top-level `tests: false` is inherited by production, but
 * must not block a staging deploy: the Tests pre-check refuses it when production is deployed.
 */
const productionRunsTests: Rule = (config, env) =>
  env === 'production' && config.environments[env]?.tests === false ? [{ path: at(env, 'tests'), message: 'false is refused for production; tests must run before a production deploy' }] : [];

const canaryStepsIncrease: Rule = (_config, env, merged) => {
  const steps = merged.canary?.steps;
  if (!steps) return [];
  const ok = steps.every((v, i) => i === 0 || v > steps[i - 1]) && steps[steps.length - 1] === 100;
  return ok ? [] : [{ path: at(env, 'canary.steps'), message: 'expected increasing percentages ending at 100, like [10, 50, 100]' }];
};

const envFilesInsideProject: Rule = (_config, env, merged) =>
  (merged.env?.files ?? []).flatMap((file, i) => {
    const norm = normalize(file);
    return isAbsolute(norm) || norm === '..' || norm.startsWith('../') ? [{ path: at(env, `env.files[${i}]`), message: 'must be a path inside the project' }] : [];
  });

/** What the platform cannot run without (local: `start` and `port`). */
const platformNeeds: Rule = (_config, env, merged) => {
  const spec = platformSpec(merged.platform ?? DEFAULT_PLATFORM);
  return spec.requires.filter((r) => merged[r.key] === undefined).map((r) => ({ path: at(env, r.key), message: `required for the ${spec.name} platform (${r.why})` }));
};

/** A setting some platforms declare as theirs (persist, dependencies, hosts, ssh) is refused on the others. */
const platformOwnSettings: Rule = (_config, env, merged) => {
  const spec = platformSpec(merged.platform ?? DEFAULT_PLATFORM);
  const own = new Set((spec.settings ?? []).map((s) => s.key));
  const declared = new Map(PLATFORMS.flatMap((p) => p.settings ?? []).map((s) => [s.key, s]));
  return [...declared.values()]
    .filter((s) => !own.has(s.key) && isSet(merged[s.key]))
    .map((s) => ({ path: at(env, s.key), message: `not supported by platform ${spec.name}${s.elsewhere}` }));
};

const isSet = (value: unknown) => (Array.isArray(value) ? value.length > 0 : value !== undefined);

/** A strategy the platform cannot do is refused here, never skipped in silence at deploy time. */
const platformRunsStrategy: Rule = (config, env, merged) => {
  if (merged.strategy === undefined) return [];
  const spec = platformSpec(merged.platform ?? DEFAULT_PLATFORM);
  if (spec.capabilities.strategies.includes(merged.strategy)) return [];
  const written = config.environments[env]?.strategy !== undefined ? at(env, 'strategy') : 'strategy';
  return [{ path: written, message: `platform ${spec.name} cannot run ${merged.strategy} (it supports ${spec.capabilities.strategies.join(', ')})` }];
};

/** The platform's own section (`railway:`, `kubernetes:`, ...) and its rules. */
const platformSettings: Rule = (_config, env, merged) => {
  const spec = platformSpec(merged.platform ?? DEFAULT_PLATFORM);
  if (!spec.section?.problems) return [];
  const raw = (merged as Record<string, unknown>)[spec.name];
  return spec.section.problems(raw, (k: string) => at(env, `${spec.name}.${k}`), { strategy: merged.strategy });
};

const uniquePorts = (config: RawConfig): ConfigProblem[] => {
  const seen = new Map<number, string>();
  const problems: ConfigProblem[] = [];
  for (const env of Object.keys(config.environments)) {
    const port = deepMerge(topLevel(config), config.environments[env]).port;
    if (port === undefined) continue;
    const other = seen.get(port);
    if (other) problems.push({ path: at(env, 'port'), message: `${port} is already the port of ${other}` });
    else seen.set(port, env);
  }
  return problems;
};

export const RULES: Rule[] = [reservedName, requiresKnownEnvironment, productionRunsTests, canaryStepsIncrease, envFilesInsideProject, platformNeeds, platformRunsStrategy, platformOwnSettings, platformSettings];

export function topLevel(config: RawConfig): RawSettings {
  const { app: _app, environments: _envs, ...settings } = config;
  return settings;
}

export function checkRules(config: RawConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (Object.keys(config.environments).length === 0) problems.push({ path: 'environments', message: 'define at least one environment' });
  for (const [env, settings] of Object.entries(config.environments)) {
    const merged = deepMerge(topLevel(config), settings);
    for (const rule of RULES) problems.push(...rule(config, env, merged));
  }
  return [...problems, ...uniquePorts(config)];
}
