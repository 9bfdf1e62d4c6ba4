import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { ROOT } from '../../../setup/build.js';

/**
 * Railway's published schema (an introspection result from railwayapp/cli), kept beside the repo, never in it:
 * RAILWAY_SCHEMA_PATH when set, else `../shared/railway/schema.json` next to this checkout, else the workspace's
 * copy at /work/shared (where a clean CI clone elsewhere on the machine finds it).
 */
const CANDIDATES = [process.env.RAILWAY_SCHEMA_PATH, resolve(ROOT, '../shared/railway/schema.json'), '/work/shared/railway/schema.json'].filter(
  (path): path is string => Boolean(path),
);
export const SCHEMA_PATH = CANDIDATES.find((path) => existsSync(path)) ?? CANDIDATES[0]!;

let cached: GraphQLSchema | null = null;

export function schemaAvailable(): boolean {
  return existsSync(SCHEMA_PATH);
}

export function loadRailwaySchema(): GraphQLSchema {
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
  cached = buildClientSchema((raw.data ?? raw) as IntrospectionQuery);
  return cached;
}

/**
 * Contract tests need the schema. Under CI=true a missing schema is a failure with a clear message; elsewhere
 * the tests are skipped, and loudly.
 */
export function requireSchemaOrSkip(): boolean {
  if (schemaAvailable()) return true;
  const message = `Railway schema not found (looked at ${CANDIDATES.join(', ')}): the Railway contract tests need it (an introspection result from railwayapp/cli)`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
  console.warn(`SKIPPING Railway contract tests: ${message}`);
  return false;
}
