import { env } from './catalog/env.js';
import { gate } from './catalog/gate.js';
import { git } from './catalog/git.js';
import { hooks } from './catalog/hooks.js';
import { lock } from './catalog/lock.js';
import { migrations } from './catalog/migrations.js';
import { rollbackPlan } from './catalog/rollback-plan.js';
import { tests } from './catalog/tests.js';
import type { PreCheckSpec } from './spec.js';

/**
 * Every pre-deployment check, one entry each, listed in their declared `order`. The bundle schema (the names
 * recipes.yaml may skip), the plan, `buildPreChecks` and docs/pre-checks.md read this list: a new check is its file
 * in `catalog/` plus one line here, and it runs without a recipes.yaml edit.
 */
export const PRE_CHECKS: readonly PreCheckSpec[] = [tests, migrations, env, git, gate, rollbackPlan, hooks, lock].sort((a, b) => a.order - b.order);

export const PRE_CHECK_NAMES = PRE_CHECKS.map((c) => c.name) as [string, ...string[]];

/** The checks a deploy runs: all of them, in their order, except those recipes.yaml skips. */
export function checksToRun(skip: readonly string[]): PreCheckSpec[] {
  return PRE_CHECKS.filter((c) => !skip.includes(c.name));
}

export function preCheckSpec(name: string): PreCheckSpec | undefined {
  return PRE_CHECKS.find((c) => c.name === name);
}
