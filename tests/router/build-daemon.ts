import { build } from 'esbuild';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bundles the daemon and a test starter from the TypeScript sources into a temp dir, so the process tests run
 * the current code as real separate processes without depending on a fresh `tsc` build.
 */
export async function buildDaemon(): Promise<{ daemon: string; starter: string; keeper: string; slowShutdownDaemon: string }> {
  const outdir = await mkdtemp(join(tmpdir(), 'shipgate-daemon-'));
  const root = new URL('../../', import.meta.url).pathname;
  await build({
    entryPoints: {
      daemon: join(root, 'src/router/daemon.ts'),
      keeper: join(root, 'src/router/keeper-daemon.ts'),
      starter: join(root, 'tests/router/fixtures/starter.ts'),
      'slow-shutdown-daemon': join(root, 'tests/router/fixtures/slow-shutdown-daemon.ts'),
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // Bundled CommonJS dependencies (undici) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return {
    daemon: join(outdir, 'daemon.mjs'),
    starter: join(outdir, 'starter.mjs'),
    keeper: join(outdir, 'keeper.mjs'),
    slowShutdownDaemon: join(outdir, 'slow-shutdown-daemon.mjs'),
  };
}
