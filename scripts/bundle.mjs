#!/usr/bin/env node
// After tsc and scripts/vendor.mjs: bundles the CLI and the orchestrator child, with every module they import
// (statically or with import()), into a few ESM files under dist/bin/: one entry each and shared chunks for what both
// load or what is imported on demand (a platform driver, a command). node 20's ESM loader pays per module, and a
// deploy loaded about 80 of our modules in the CLI and more in the child before the first pre-check.
// npm packages stay imports (resolved from node_modules as before); so do the vendored bundles in dist/vendor/.
// Daemons, the host agent and library entries (./flags) keep running from dist/src/. Code that locates one of the
// package's files does so from the package root (src/package-root.ts), never from its own module's URL.
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'dist', 'src');
const outdir = join(root, 'dist', 'bin');
// src/package-root.ts names these files (BUILT.cli, BUILT.orchestrator).
const ENTRIES = { deploy: join(src, 'cli', 'main.js'), orchestrator: join(src, 'orchestrator', 'child.js') };

// All output files sit in dist/bin/ itself, so one specifier reaches dist/vendor/ from each of them.
const vendorStaysExternal = {
  name: 'vendor-stays-external',
  setup(b) {
    b.onResolve({ filter: /\/vendor\/[a-z]+\.js$/ }, (args) => ({ path: `../vendor/${args.path.split('/').pop()}`, external: true }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ENTRIES,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  plugins: [vendorStaysExternal],
  logLevel: 'warning',
});
await chmod(join(outdir, 'deploy.js'), 0o755);
await chmod(join(src, 'cli', 'main.js'), 0o755);
