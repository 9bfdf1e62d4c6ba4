import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, InternalError, UserError } from '../errors.js';
import { formatPath } from '../config/issues.js';
import { packageRoot } from '../package-root.js';
import { RecipesSchema, type Recipes } from './schema.js';

export const BUNDLE_NAME = 'deployment-recipes';

/** The bundle ships in the package, beside src/ and dist/. */
export function bundleDir(root: string = packageRoot()): string {
  const dir = join(root, 'bundles', BUNDLE_NAME);
  if (!existsSync(join(dir, 'recipes.yaml'))) throw new InternalError(`bundle ${BUNDLE_NAME} not found in ${root}`);
  return dir;
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
