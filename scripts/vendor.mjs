#!/usr/bin/env node
// After tsc: bundles zod, execa and yaml into one ESM file each under dist/vendor/, then points the compiled
// imports of those packages in dist/src/ at the bundles. Each package is a graph of dozens of small modules
// (zod 4 also loads its ~60 locales), and node 20's ESM loader pays per module; the CLI and the orchestrator
// each load them before the first pre-check runs (bench/local/deploys.mjs). Measured on the 2-core box:
// zod 103 -> 50 ms, execa 150 -> 45 ms, yaml 45 -> 17 ms. Sources and tests (vitest) import the packages.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const outdir = join(dist, 'vendor');

// zod's only language is English here: every locale but `en` stays out of the bundle.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => ({ path: join(args.resolveDir, 'locales-en-only.js'), namespace: 'zod-locales' }));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: join(dirname(args.path), '..', 'locales'),
    }));
  },
};

const VENDORED = { zod: [englishOnly], execa: [], yaml: [] };

// zod compiles a parser per object schema (new Function) at its first parse. The CLI and the orchestrator parse most
// schemas once per run, where that costs more than it saves: the first parse of a run's summary took 15-20 ms with
// the compiler and 4 ms without; the first progress event 5 ms and 0.2 ms. Validation is the same either way.
const PRELUDE = { zod: "import { config as __zodConfig } from 'zod'; __zodConfig({ jitless: true });" };

for (const [name, plugins] of Object.entries(VENDORED)) {
  // Named re-exports, not `export *`: yaml is CommonJS, whose names an ESM bundle cannot re-export with a star.
  const names = Object.keys(await import(name));
  await build({
    stdin: { contents: `${PRELUDE[name] ?? ''}export { ${names.join(', ')} } from '${name}';`, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: join(outdir, `${name}.js`),
    // CommonJS dependencies (cross-spawn, yaml itself) call require() for node's built-ins.
    banner: { js: "import { createRequire as __vendorRequire } from 'node:module'; const require = __vendorRequire(import.meta.url);" },
    plugins,
    logLevel: 'warning',
  });
}

// tsc keeps the specifiers as written: `from 'zod';` and `import('execa')`.
const specifier = new RegExp(`(from |import\\()'(${Object.keys(VENDORED).join('|')})'`, 'g');
for (const file of await compiledFiles(join(dist, 'src'))) {
  const text = await readFile(file, 'utf8');
  const toVendor = relative(dirname(file), outdir);
  const rewritten = text.replace(specifier, (_, lead, name) => `${lead}'${toVendor}/${name}.js'`);
  if (rewritten !== text) await writeFile(file, rewritten);
}

async function compiledFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => join(e.parentPath ?? e.path, e.name));
}
