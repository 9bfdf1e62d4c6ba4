import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `deploy init` reads from the project to propose a config that works on the first deploy. */
export interface ProjectFacts {
  /** The proposed `start:` line; null when nothing in the project says how it starts. */
  start: string | null;
  /** Where `start` came from, for the comment next to it. */
  startFrom: string | null;
  build: string | null;
  /** package.json has a real `test` script (not npm's placeholder). */
  hasTestScript: boolean;
  framework: string | null;
  lockfile: string | null;
}

interface PackageJson {
  main?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const NPM_PLACEHOLDER_TEST = 'echo "Error: no test specified" && exit 1';

/** Dependency name → what the starter calls the framework; the first match wins. */
const FRAMEWORKS: Array<[string, string]> = [
  ['next', 'Next.js'],
  ['nuxt', 'Nuxt'],
  ['@remix-run/serve', 'Remix'],
  ['@nestjs/core', 'NestJS'],
  ['fastify', 'Fastify'],
  ['hono', 'Hono'],
  ['koa', 'Koa'],
  ['express', 'Express'],
  ['json-server', 'json-server'],
  ['verdaccio', 'Verdaccio'],
];

const ENTRY_FILES = ['server.js', 'index.js', 'app.js', 'main.js', 'server.mjs', 'index.mjs'];

export async function readProjectFacts(dir: string): Promise<ProjectFacts> {
  const pkg = await readPackageJson(dir);
  const scripts = pkg?.scripts ?? {};
  const deps = { ...pkg?.devDependencies, ...pkg?.dependencies };
  const framework = FRAMEWORKS.find(([name]) => name in deps)?.[1] ?? null;
  const test = scripts.test?.trim();
  let start: string | null = null;
  let startFrom: string | null = null;
  if (scripts.start) {
    start = 'npm start';
    startFrom = `package.json scripts.start: ${scripts.start}`;
  } else {
    const entry = [pkg?.main, ...ENTRY_FILES].find((file): file is string => Boolean(file) && existsSync(join(dir, file!)));
    if (entry) {
      start = `node ${entry}`;
      startFrom = pkg?.main === entry ? 'package.json main' : `${entry} in the project`;
    }
  }
  return {
    start,
    startFrom,
    build: scripts.build ? 'npm run build' : null,
    hasTestScript: Boolean(test) && test !== NPM_PLACEHOLDER_TEST,
    framework,
    lockfile: ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'].find((file) => existsSync(join(dir, file))) ?? null,
  };
}

async function readPackageJson(dir: string): Promise<PackageJson | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return null;
  }
}
