import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../setup/build.js';
import { createNpmProject, type NpmProject } from './helpers/npm-project.js';

/**
 * Releases live outside the project tree, so the project's own test runner never finds their copies of the tests:
 * the Tests pre-check counts the same after six deploys as after one. With node:test (built in) and with vitest
 * (the npm package, linked from this repository's node_modules).
 */
const stateHome = mkdtempSync(join(tmpdir(), 'shipgate-state-'));
const projects: NpmProject[] = [];

const SERVER = `require('node:http').createServer((req, res) => res.end('ok ' + process.env.RELEASE_ID)).listen(Number(process.env.PORT), '127.0.0.1');\n`;

const config = (port: number) => `app: counted
start: node server.js
health: { path: /, interval: 100ms, timeout: 15s }
tests: npm test
migrations: none
verify: { smoke: ["GET /"], window: 2s, minRequests: 5, p95: 2s }
drainTimeout: 1s
environments:
  staging: { port: ${port} }
`;

async function testsDetailAcrossDeploys(project: NpmProject, deploys: number): Promise<string[]> {
  const details: string[] = [];
  for (let i = 0; i < deploys; i++) {
    if (i > 0) project.commit({ 'README.md': `deploy ${i}\n` }, `deploy ${i}`);
    const run = await project.deploy('staging');
    expect(run.exitCode, run.summary.message).toBe(0);
    details.push(run.summary.checks.pre.find((c) => c.name === 'Tests')!.detail);
  }
  return details;
}

// The two runners deploy side by side: each waits mostly on its own processes.
describe('Tests pre-check counts as releases accumulate', { timeout: 10 * 60_000, concurrent: true }, () => {
  beforeAll(() => ensureBuilt(), 5 * 60_000);
  afterAll(async () => {
    for (const p of projects) await p.stop();
  });

  it('node:test: the same counts after 6 deploys as after 1', async () => {
    const project = await createNpmProject({
      stateHome,
      config,
      files: {
        'package.json': JSON.stringify({ name: 'counted', version: '1.0.0', scripts: { test: 'node --test' } }),
        'server.js': SERVER,
        'test/app.test.js': "const test = require('node:test');\ntest('one', () => {});\ntest('two', () => {});\n",
      },
    });
    projects.push(project);
    const details = await testsDetailAcrossDeploys(project, 6);
    expect(details[0]).toBe('2/2 passing');
    expect(details).toEqual(Array(6).fill('2/2 passing'));
  });

  it('vitest: the same counts after 6 deploys as after 1', async () => {
    const project = await createNpmProject({
      stateHome,
      config,
      files: {
        'package.json': JSON.stringify({ name: 'counted', version: '1.0.0', scripts: { test: 'vitest run' } }),
        'server.js': SERVER,
        'test/app.test.mjs': "import { test, expect } from 'vitest';\ntest('one', () => expect(1).toBe(1));\ntest('two', () => expect(2).toBe(2));\ntest('three', () => expect(3).toBe(3));\n",
      },
    });
    projects.push(project);
    symlinkSync(join(ROOT, 'node_modules'), join(project.dir, 'node_modules'));
    const details = await testsDetailAcrossDeploys(project, 6);
    expect(details[0]).toBe('3/3 passing');
    expect(details).toEqual(Array(6).fill('3/3 passing'));
  });
});
