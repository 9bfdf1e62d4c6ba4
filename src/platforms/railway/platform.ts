import type { PlatformSpec } from '../spec.js';
import { RailwaySchema, railwayProblems, resolveRailway, type RailwaySettings, type RawRailway } from './config.js';
import { railwayPlanSteps } from './plan-steps.js';

/** Railway's public GraphQL API; Railway swaps whole deployments itself, so there is no weighted canary. */
export const railway: PlatformSpec<'railway', RawRailway, RailwaySettings> = {
  name: 'railway',
  capabilities: { strategies: ['blue-green'], weights: false, manifests: false, remote: true, warmSwitchBack: false, ownRouter: false },
  requires: [],
  section: { schema: RailwaySchema, resolve: resolveRailway, problems: railwayProblems },
  planSteps: (config, kind, input) => railwayPlanSteps(config, kind, input.to),
  // Railway builds remotely: a deploy may wait its deadline once for the build and once more for a rollback.
  extraDeadlineMs: (config) => (config.railway ? 2 * config.railway.deadlineMs + 2 * config.verify.windowMs : 0),
  driver: () => import('./driver.js'),
  preChecks: () => import('./pre-checks.js'),
};
