import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, InternalError, UserError } from '../errors.js';
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

/** Loads and validates recipes.yaml. It is the one place the defaults are changed, so a mistake there is a config error (exit 2). */
export async function loadRecipes(dir: string = bundleDir()): Promise<Recipes> {
  const { parse } = await import('yaml');
  const file = join(dir, 'recipes.yaml');
  return parseRecipes(parse(await readFile(file, 'utf8')) as unknown, file);
}

/** One line per problem, each naming the file and the field: `…/recipes.yaml: preChecks.skip[0]: unknown check "x"; known: …`. */
export function parseRecipes(data: unknown, source = `bundle ${BUNDLE_NAME} (recipes.yaml)`): Recipes {
  const result = RecipesSchema.safeParse(data);
  if (!result.success) throw new UserError(result.error.issues.map((i) => `${source}: ${formatPath(i.path)}: ${i.message}`).join('\n'), ExitCode.usage);
  return result.data;
}
