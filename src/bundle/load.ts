import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../errors.js';
import { formatPath } from '../config/issues.js';
import { RecipesSchema, type Recipes } from './schema.js';

export const BUNDLE_NAME = 'deployment-recipes';

/** The bundle ships beside src/ (and beside dist/src/ once built): walk up until it is found. */
export function bundleDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'bundles', BUNDLE_NAME);
    if (existsSync(join(candidate, 'recipes.yaml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new InternalError(`bundle ${BUNDLE_NAME} not found above ${from}`);
    dir = parent;
  }
}

/** Loads and validates recipes.yaml. A broken bundle is our bug, not the user's: InternalError. */
export async function loadRecipes(dir: string = bundleDir()): Promise<Recipes> {
  const { parse } = await import('yaml');
  const data = parse(await readFile(join(dir, 'recipes.yaml'), 'utf8')) as unknown;
  return parseRecipes(data);
}

export function parseRecipes(data: unknown): Recipes {
  const result = RecipesSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new InternalError(`bundle ${BUNDLE_NAME} is invalid: ${lines.join('; ')}`);
  }
  return result.data;
}
