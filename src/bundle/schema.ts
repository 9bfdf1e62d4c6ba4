import * as z from 'zod';
import { DURATION_MESSAGE, isDuration } from '../config/duration.js';
import { PERCENT_MESSAGE, parsePercent } from '../config/percent.js';
import { PRE_CHECK_NAMES, preCheckSpec } from '../checks/registry.js';

const duration = z.string({ error: DURATION_MESSAGE }).refine(isDuration, { error: DURATION_MESSAGE });
const percent = z.string({ error: PERCENT_MESSAGE }).refine((t) => parsePercent(t) !== null, { error: PERCENT_MESSAGE });
const steps = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]) && s[s.length - 1] === 100, { error: 'expected increasing percentages ending at 100' });
const stepped = z.strictObject({ steps, interval: duration });
const checkName = z
  .enum(PRE_CHECK_NAMES, { error: (issue) => `unknown check ${JSON.stringify(issue.input)}; known: ${PRE_CHECK_NAMES.join(', ')}` })
  .refine((name) => preCheckSpec(name)?.build !== undefined, { error: (issue) => `${JSON.stringify(issue.input)} cannot be skipped: the orchestrator takes it itself` });

/** bundles/deployment-recipes/recipes.yaml: the defaults the CLI and agents share. */
export const RecipesSchema = z.strictObject({
  strategies: z.strictObject({
    default: z.enum(['blue-green', 'canary']),
    'blue-green': z.strictObject({ keepWarm: duration, drainTimeout: duration }),
    canary: stepped,
    'feature-flags': stepped,
  }),
  thresholds: z.strictObject({ errorRate: percent, p95: duration, window: duration, minRequests: z.number().int().min(0) }),
  health: z.strictObject({ path: z.string().startsWith('/'), timeout: duration, interval: duration }),
  /** Every registered check runs (src/checks/registry.ts) except those named here; the lock is always taken. */
  preChecks: z.strictObject({ skip: z.array(checkName) }),
  rollback: z.strictObject({
    when: z.string(),
    action: z.string(),
    keepReleases: z.number().int().min(1),
    migrations: z.string(),
  }),
  guard: z.record(z.string(), duration).refine((g) => 'default' in g, { error: 'needs a default' }),
  gate: z.record(z.string(), z.strictObject({ requires: z.string(), maxAge: duration })),
});

export type Recipes = z.infer<typeof RecipesSchema>;
