#!/usr/bin/env node
// Local platform figures, measured with the real CLI on a copy of examples/webapp:
//   1. orchestration overhead per deploy: total - tests - build - app start - watch window (target <= 1 s),
//      over consecutive good deploys with no synthetic load (the load generator would compete for the same cores)
//   2. failed requests across N consecutive good deploys under continuous load (target 0); the overhead of
//      these deploys is reported too, as overheadUnderLoad
//   3. rollback time: failure decision -> every new request served by blue (target <= 100 ms)
// Usage: node bench/local/deploys.mjs [--deploys 10] [--window 3000] [--concurrency 8] [--overhead-only]
// Needs: npm run build, and examples/webapp/node_modules (npm ci there).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'dist/src/cli/main.js');
const example = join(root, 'examples/webapp');
const { values } = parseArgs({
  options: { deploys: { type: 'string', default: '10' }, window: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '8' }, 'overhead-only': { type: 'boolean', default: false } },
});
const deploys = Number(values.deploys);
const windowMs = Number(values.window);
const concurrency = Number(values.concurrency);
if (!existsSync(cli)) throw new Error('run npm run build first');
if (!existsSync(join(example, 'node_modules/better-sqlite3'))) throw new Error('run npm ci in examples/webapp first');

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.email=b@example.com', '-c', 'user.name=bench', ...args], { cwd, encoding: 'utf8' });

const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
for (const name of ['server.js', 'lib', 'migrations', 'test', 'package.json', 'package-lock.json']) cpSync(join(example, name), join(dir, name), { recursive: true });
mkdirSync(join(dir, 'data'));
symlinkSync(join(example, 'node_modules'), join(dir, 'node_modules'));
writeFileSync(join(dir, '.gitignore'), 'node_modules\n.deploy/\ndata/\n');
writeFileSync(join(dir, '.env.staging'), 'DATABASE_URL=sqlite:data/staging.db\n');
writeFileSync(join(dir, 'knobs.json'), '{}\n');
const port = await freePort();
writeFileSync(join(dir, 'deploy.config.yaml'), `app: webapp
start: node server.js
health: { path: /health, interval: 100ms, timeout: 10s }
tests: false
migrations: { tool: sql, dir: migrations, table: schema_migrations, database: "\${DATABASE_URL}" }
env: { required: [DATABASE_URL], files: [".env.\${environment}"] }
verify: { smoke: ["GET /", { path: /api/items, status: 200 }], window: ${windowMs}ms, minRequests: 50, database: health }
keepWarm: 10m
drainTimeout: 2s
environments: { staging: { port: ${port} } }
`);
git(dir, 'init', '-q');
git(dir, 'add', '.');
git(dir, 'commit', '-qm', 'bench');


console.log(dir);
