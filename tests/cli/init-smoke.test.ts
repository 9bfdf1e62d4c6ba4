import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { servedRoutes, generalise } from '../../src/cli/init/served-routes.js';
import { createRouter } from '../../src/router/router.js';
import { loadConfig } from '../../src/config/resolve.js';
import { ensureBuilt } from '../setup/build.js';
import { runCli } from './helpers.js';

/** Paths the app answers 2xx; everything else is a 404. */
const SERVED = /^\/(|api\/items|health|about|users\/\d+|search|orders\/[0-9a-f]+)$/;

/**
 * `deploy init` on a project the router has served: real traffic through the real router writes its access log
 * in `.deploy/staging/`, and init proposes the most-served 2xx GET paths as smoke checks.
 */
describe('deploy init proposes smoke checks from the routes the router served', { timeout: 120_000 }, () => {
  let dir: string;
  let app: Server;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'shipgate-init-smoke-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop', scripts: { start: 'node server.js' } }));
    const stateDir = join(dir, '.deploy', 'staging');
    mkdirSync(stateDir, { recursive: true });
    app = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.writeHead(SERVED.test(path) ? (req.method === 'POST' ? 201 : 200) : 404).end('x');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir });
    try {
      await router.setActive({ id: 'r-1', url: `http://127.0.0.1:${(app.address() as AddressInfo).port}` });
      const base = `http://127.0.0.1:${router.port}`;
      const traffic: Array<[string, number, string?]> = [
        ['/api/items', 6],
        ['/', 4],
        ['/health', 3],
        ['/about', 1], // once: not proposed
        ['/users/42', 5], // ids: generalised, not proposed
        ['/users/7', 4],
        ['/orders/5f2b9c1e8a7d6c4b3a291e0f', 2],
        ['/search?token=s3cr3t-value', 8], // a query string: never proposed
        ['/missing', 10], // 404s
        ['/api/items', 9, 'POST'], // not a GET
      ];
      for (const [path, times, method] of traffic) {
        for (let i = 0; i < times; i++) await fetch(base + path, { method: method ?? 'GET', body: method ? 'x' : undefined }).then((r) => r.arrayBuffer());
      }
    } finally {
      await router.close(100);
    }
  });
  afterAll(async () => {
    await new Promise((resolve) => app?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the access log: most-served 2xx GETs, ids generalised and left out, no query strings', async () => {
    const served = await servedRoutes(dir);
    expect(served.smoke).toEqual(['GET /api/items', 'GET /', 'GET /health']);
    expect(served.logs).toEqual(['.deploy/staging/access.log']);
    expect(served.requests).toBe(6 + 4 + 3 + 1 + 5 + 4 + 2 + 8);
    expect(served.skipped).toEqual(['/users/:id', '/orders/:id']);
    expect(generalise('/files/a1b2c3d4e5f6a7b8c9d0/raw')).toBe('/files/:id/raw');
    expect(generalise('/api/v2/items')).toBe('/api/v2/items');
  });

  it('a new config gets them under verify.smoke; with a config, init prints them and changes nothing', async () => {
    const created = await runCli(['init', '--no-probe'], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('smoke: GET /api/items, GET /, GET /health (the most-served 2xx GETs of 33 in .deploy/staging/access.log; id-like paths left out (/users/:id, /orders/:id))');
    const text = readFileSync(join(dir, 'deploy.config.yaml'), 'utf8');
    expect(parse(text).verify.smoke).toEqual(['GET /api/items', 'GET /', 'GET /health']);
    // The starter is valid as written, smoke checks included.
    expect((await loadConfig(dir, {})).config.verify?.smoke).toEqual(['GET /api/items', 'GET /', 'GET /health']);
    expect(text).not.toContain('s3cr3t');

    const again = await runCli(['init', '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ created: null, existing: 'deploy.config.yaml', smoke: ['GET /api/items', 'GET /', 'GET /health'], logs: ['.deploy/staging/access.log'] });
    const human = await runCli(['init'], { cwd: dir });
    expect(human.stdout).toContain('deploy.config.yaml already exists; not overwriting it.');
    expect(human.stdout).toContain('verify:\n  # the most-served GET paths that answered 2xx, from the router\'s access log of the last release\n  smoke: ["GET /api/items", "GET /", "GET /health"]\n');
    expect(readFileSync(join(dir, 'deploy.config.yaml'), 'utf8')).toBe(text);
  });
});
