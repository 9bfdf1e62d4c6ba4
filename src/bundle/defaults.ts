import type { RawSettings } from '../config/schema.js';
import type { Recipes } from './schema.js';

/**
 * The bundle's defaults for one environment, in the config's own shape, so the user's config merges over them.
 * Defaults that are not the bundle's (platform, smoke, ...) are the schema's own (src/config/schema.ts).
 */
export function bundleDefaults(recipes: Recipes, environment: string, knownEnvironments: readonly string[] = []): RawSettings {
  // The production gate only applies when the project has the environment it points at.
  const gate = recipes.gate[environment] && knownEnvironments.includes(recipes.gate[environment].requires) ? recipes.gate[environment] : undefined;
  return {
    strategy: recipes.strategies.default,
    health: { ...recipes.health },
    verify: { ...recipes.thresholds },
    keepWarm: recipes.strategies['blue-green'].keepWarm,
    drainTimeout: recipes.strategies['blue-green'].drainTimeout,
    releases: { keep: recipes.rollback.keepReleases },
    guard: recipes.guard[environment] ?? recipes.guard.default,
    canary: { ...recipes.strategies.canary },
    ...(gate ? { requires: gate.requires, maxAge: gate.maxAge } : {}),
  };
}
