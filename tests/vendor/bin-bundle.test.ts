/**
 * The bundled entries that `npm run build` writes to dist/bin/ (scripts/bundle.mjs): the `deploy` bin and the
 * orchestrator child. They must be self-contained apart from npm packages and dist/vendor/, and every file of the
 * package that code locates (src/package-root.ts) must exist in the build and be what the package ships.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT, builtFile, packageRoot } from '../../src/package-root.js';
import { packageMembers } from '../../src/remote/package-files.js';
import { ensureBuilt, ROOT } from '../setup/build.js';

const BIN = join(ROOT, 'dist/bin');

/** Every static and dynamic import specifier in an ESM file. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[\w*{}\s,$]+\s*from\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2]!);
}

describe('dist/bin bundles', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it('every file the package locates exists in the build, found from the package root', () => {
    expect(packageRoot()).toBe(ROOT);
    for (const name of Object.keys(BUILT) as Array<keyof typeof BUILT>) expect(statSync(builtFile(name)).isFile(), name).toBe(true);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(manifest.bin).toEqual({ deploy: BUILT.cli, shipgate: BUILT.cli });
    expect(manifest.files).toContain('dist/bin');
    expect(statSync(builtFile('cli')).mode & 0o111).toBe(0o111);
  });

  it('the bundles import only node built-ins, npm packages, their own chunks and dist/vendor/', () => {
    const files = readdirSync(BIN).filter((f) => f.endsWith('.js'));
    expect(files).toEqual(expect.arrayContaining(['deploy.js', 'orchestrator.js']));
    const local = files.flatMap((f) => specifiers(join(BIN, f)).filter((s) => s.startsWith('.')));
    expect(local.length).toBeGreaterThan(0);
    const outside = local.filter((s) => !/^\.\/(deploy|orchestrator)-[A-Z0-9]+\.js$/.test(s) && !/^\.\.\/vendor\/(zod|execa|yaml)\.js$/.test(s));
    expect(outside).toEqual([]);
    for (const s of local) expect(statSync(join(BIN, s)).isFile(), s).toBe(true);
  });

  it('the CLI entry loads no vendored package by itself: `deploy --help` stays light', () => {
    // Static imports load with the file; follow them from the entry through its chunks.
    const loaded = new Set<string>();
    const queue = ['./deploy.js'];
    while (queue.length > 0) {
      const spec = queue.pop()!;
      if (loaded.has(spec)) continue;
      loaded.add(spec);
      if (!spec.startsWith('./')) continue;
      const text = readFileSync(join(BIN, spec), 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm)) queue.push(m[1]!);
    }
    expect([...loaded].filter((s) => !s.startsWith('./') && !s.startsWith('node:'))).toEqual([]);
  });

  it('a server gets the bundles: they are part of the package uploaded over SSH', async () => {
    const members = (await packageMembers(ROOT)).filter((m) => m.base === ROOT).map((m) => m.path);
    expect(members).toEqual(expect.arrayContaining(['package.json', 'dist/bin', 'dist/src', 'dist/vendor', 'bundles']));
    expect(relative(ROOT, builtFile('orchestrator'))).toBe('dist/bin/orchestrator.js');
  });
});
