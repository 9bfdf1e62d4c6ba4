#!/usr/bin/env node
// After tsc and scripts/vendor.mjs: bundles the CLI and the orchestrator child, with every module they import, into a
// few ESM files under dist/bin/: one entry each, plus a chunk per set of modules that loads on demand. node 20's ESM
// loader pays per module, and a deploy loaded about 80 of our modules in the CLI and 160 in the child before the first
// pre-check. npm packages and the vendored bundles in dist/vendor/ stay imports (resolved as before).
//
// esbuild would start a chunk at every import() (more than a hundred, most under 5 KB). An import() is worth a chunk
// only when it keeps a package from loading before it is needed (`deploy --help` loads commander alone; a platform
// driver brings its own packages). Every other import() becomes a lazy require() of a module bundled into the
// importer's chunk: its code still runs only when called, without a file to load.
//
// Daemons, the host agent and library entries (./flags) keep running from dist/src/. Code that locates one of the
// package's files does so from the package root (src/package-root.ts), never from its own module's URL.
import { chmod, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'dist', 'src');
const vendor = join(root, 'dist', 'vendor');
const outdir = join(root, 'dist', 'bin');
// src/package-root.ts names these files (BUILT.cli, BUILT.orchestrator).
const ENTRIES = { deploy: join(src, 'cli', 'main.js'), orchestrator: join(src, 'orchestrator', 'child.js') };

const VENDORED = ['zod', 'execa', 'yaml'];
const STATIC = /^(?:import|export)\s[^;]*?\bfrom\s+'([^']+)'/gm;
const DYNAMIC = /\bimport\('(\.[^']+)'\)/g;
const builtins = new Set(builtinModules);

/** What a compiled module loads when it is evaluated: its own modules, and the packages (or vendored bundles) outside. */
async function staticImports(file) {
  const text = await readFile(file, 'utf8');
  const own = [];
  const outside = [];
  for (const [, spec] of text.matchAll(STATIC)) {
    if (spec.startsWith('node:') || builtins.has(spec)) continue;
    if (!spec.startsWith('.')) outside.push(spec);
    else if (resolve(dirname(file), spec).startsWith(vendor + '/')) outside.push(resolve(dirname(file), spec));
    else own.push(resolve(dirname(file), spec));
  }
  return { text, own, outside };
}

const parsed = new Map();
async function parse(file) {
  if (!parsed.has(file)) parsed.set(file, await staticImports(file));
  return parsed.get(file);
}

/** Every package or vendored bundle that evaluating `file` loads, through its static imports. */
async function outsideClosure(file) {
  const seen = new Set();
  const outside = new Set();
  const queue = [file];
  while (queue.length > 0) {
    const next = queue.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    const imports = await parse(next);
    imports.outside.forEach((o) => outside.add(o));
    queue.push(...imports.own);
  }
  return outside;
}

const closures = new Map();
async function closureOf(file) {
  if (!closures.has(file)) closures.set(file, await outsideClosure(file));
  return closures.get(file);
}

/**
 * Rewrites the import() calls that need no chunk of their own: those whose target loads nothing outside our code that
 * the importer does not load already, or that every run of this entry loads anyway (`free`); they become a lazy
 * require() of a module bundled with the importer. In the `light` module, whose own load must stay light (the CLI
 * entry: `deploy --help` loads commander alone), such targets are instead required from one shared module (the hub),
 * itself loaded with import(): one chunk for the commands instead of one per set of commands that shares a module.
 */
function fewerChunks({ free, light }) {
  const freeFiles = new Set(free.map((name) => (VENDORED.includes(name) ? join(vendor, `${name}.js`) : name)));
  const hub = [];
  const needsNoChunk = async (importer, spec) => {
    const file = resolve(dirname(importer), spec);
    if (file.startsWith(vendor + '/')) return false;
    const mine = importer === light ? new Set() : await closureOf(importer);
    return [...(await closureOf(file))].every((o) => mine.has(o) || freeFiles.has(o));
  };
  return {
    name: 'split-only-where-a-package-waits',
    setup(b) {
      b.onLoad({ filter: /\/dist\/src\/.*\.js$/ }, async (args) => {
        const { text } = await parse(args.path);
        let contents = text;
        for (const [call, spec] of text.matchAll(DYNAMIC)) {
          if (!(await needsNoChunk(args.path, spec))) continue;
          if (args.path !== light) {
            contents = contents.replace(call, `Promise.resolve().then(() => require('${spec}'))`);
          } else {
            hub.push(resolve(dirname(args.path), spec));
            contents = contents.replace(call, `import('shipgate:hub').then((hub) => hub.load${hub.length - 1}())`);
          }
        }
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
      b.onResolve({ filter: /^shipgate:hub$/ }, () => ({ path: 'hub', namespace: 'shipgate-hub' }));
      b.onLoad({ filter: /.*/, namespace: 'shipgate-hub' }, () => ({
        contents: hub.map((file, i) => `export const load${i} = () => require(${JSON.stringify(file)});`).join('\n'),
        loader: 'js',
        resolveDir: src,
      }));
    },
  };
}

// All output files sit in dist/bin/ itself, so one specifier reaches dist/vendor/ from each of them.
const vendorStaysExternal = {
  name: 'vendor-stays-external',
  setup(b) {
    b.onResolve({ filter: /\/vendor\/[a-z]+\.js$/ }, (args) => ({ path: `../vendor/${args.path.split('/').pop()}`, external: true }));
  },
};

// One build per process: each entry's chunks follow what that process loads. The CLI keeps its commands apart
// (`deploy --help` loads commander alone) and, on a run, leaves execa to the child; every run of the child loads
// zod, yaml and execa.
const BUILDS = [
  { entry: 'deploy', free: ['zod', 'yaml', 'chalk'], light: ENTRIES.deploy },
  { entry: 'orchestrator', free: ['zod', 'yaml', 'execa'] },
];
await rm(outdir, { recursive: true, force: true });
for (const { entry, free, light } of BUILDS) {
  await build({
    entryPoints: { [entry]: ENTRIES[entry] },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: `${entry}-[hash]`,
    plugins: [vendorStaysExternal, fewerChunks({ free, light })],
    logLevel: 'warning',
  });
}
await chmod(join(outdir, 'deploy.js'), 0o755);
await chmod(join(src, 'cli', 'main.js'), 0o755);
