import { loadRecipes } from '../../src/bundle/load.js';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { buildPlan, type DeployPlan, type PlanOptions, type RunKind } from '../../src/orchestrator/plan.js';
import { project } from '../config/helpers.js';

export const CONFIG = `app: shop
start: node server.js --token \${API_TOKEN}
build: npm ci
tests: npm test
verify:
  smoke: ["GET /", { path: /api/items, status: 200 }]
  database: \${DATABASE_URL}
environments:
  staging: { port: 4701 }
  production: { port: 4700 }
`;

export const SECRET = 'tok-PLANTED-9f8e7d';

export async function makePlan(over: { kind?: RunKind; dryRun?: boolean; options?: Partial<PlanOptions>; env?: string; config?: string } = {}): Promise<DeployPlan> {
  const dir = project(over.config ?? CONFIG);
  const recipes = await loadRecipes();
  const config = await resolveEnvironment(dir, over.env ?? 'staging', { env: { API_TOKEN: SECRET, DATABASE_URL: 'postgres://u:p4ssword@h/db' }, recipes });
  return buildPlan({
    kind: over.kind ?? 'deploy',
    config,
    recipes,
    dryRun: over.dryRun ?? false,
    toolVersion: '0.0.0-test',
    now: new Date('2025-01-02T03:04:05Z'),
    options: { ref: null, to: null, yes: true, forceUnverified: false, reason: null, allowDirty: false, lockWaitMs: 0, verbose: false, ...over.options },
  });
}
