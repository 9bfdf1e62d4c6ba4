/**
 * The single-file bundles of zod, execa and yaml that `npm run build` writes to dist/vendor/ (scripts/vendor.mjs),
 * which the compiled code imports instead of the packages: same exports, same behaviour, and no bare import left.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as zodPackage from 'zod';
import { ensureBuilt, ROOT } from '../setup/build.js';

const VENDORED = ['zod', 'execa', 'yaml'];
const bundlePath = (name: string) => join(ROOT, 'dist/vendor', `${name}.js`);

describe('vendored bundles', () => {
  beforeAll(async () => {
    await ensureBuilt();
  });

  it.each(VENDORED)('%s: the bundle exports exactly what the package exports', async (name) => {
    const fromPackage = Object.keys(await import(name)).sort();
    const fromBundle = Object.keys(await import(bundlePath(name))).sort();
    expect(fromBundle).toEqual(fromPackage);
    expect(fromBundle.length).toBeGreaterThan(2);
  });

  it('no compiled module imports the packages themselves', () => {
    const files = readdirSync(join(ROOT, 'dist/src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const bare = files.filter((f) => /(from |import\()'(zod|execa|yaml)'/.test(readFileSync(join(ROOT, 'dist/src', f), 'utf8')));
    expect(bare).toEqual([]);
    expect(readFileSync(join(ROOT, 'dist/src/orchestrator/messages.js'), 'utf8')).toContain("'../../vendor/zod.js'");
  });

  it('zod: the English-only bundle gives the same issues and messages as the package', async () => {
    const zb = (await import(bundlePath('zod'))) as typeof zodPackage;
    const schema = (z: typeof zodPackage) =>
      z.strictObject({
        app: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase name'),
        port: z.number().int().min(1).max(65535),
        strategy: z.enum(['blue-green', 'canary']),
        health: z.object({ path: z.string().startsWith('/') }),
        steps: z.array(z.number()).min(1),
        ref: z.union([z.string(), z.null()]),
      });
    const inputs: unknown[] = [
      { app: 'Web', port: 0, strategy: 'x', health: { path: 'h' }, steps: [], ref: 1, extra: true },
      { app: 'web', port: 70000.5, strategy: 'canary', health: {}, steps: ['a'], ref: null },
      'not an object',
    ];
    for (const input of inputs) {
      const fromPackage = schema(zodPackage).safeParse(input);
      const fromBundle = schema(zb).safeParse(input);
      expect(fromBundle.success).toBe(false);
      expect(fromBundle.error!.issues).toEqual(fromPackage.error!.issues);
    }
    expect(Object.keys(zb.locales)).toEqual(['en']);
  });

  it('yaml and execa behave like the packages', async () => {
    const yaml = (await import(bundlePath('yaml'))) as typeof import('yaml');
    const text = 'app: web\nenvironments: { staging: { port: 8080 } }\nlist: [1, "two", null]\n';
    expect(yaml.parse(text)).toEqual((await import('yaml')).parse(text));
    expect(yaml.parseDocument('a: [').errors.length).toBeGreaterThan(0);
    expect(yaml.stringify({ a: [1, 'b'] })).toBe((await import('yaml')).stringify({ a: [1, 'b'] }));

    const { execa } = (await import(bundlePath('execa'))) as typeof import('execa');
    const result = await execa(process.execPath, ['-e', 'process.stdout.write("out\\n"); process.stderr.write("err\\n"); process.exitCode = 3'], { all: true, reject: false });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('out');
    expect(result.all?.split('\n').sort()).toEqual(['err', 'out']);
    const timedOut = await execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeout: 200, reject: false });
    expect(timedOut.timedOut).toBe(true);
  });
});
