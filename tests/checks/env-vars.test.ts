import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkEnvVars, loadEnvValues } from '../../src/checks/env-vars.js';
import { writeRollbackPlan } from '../../src/checks/rollback-plan.js';
import { makeProject } from './support/project.js';

const SECRET = 'pl4nted-s3cret-value-9f2c1e77a0b4d6';

async function allFileText(dir: string): Promise<string> {
  let text = '';
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

describe('env vars check', () => {
  it('names a missing variable with exit 3 and never shows a planted secret', async () => {
    const root = await makeProject({
      '.env.staging': `SESSION_SECRET=${SECRET}\nAPI_KEY="${SECRET}-api"\n`,
    });
    const values = await loadEnvValues({ projectRoot: root, files: ['.env.staging', '.env.missing'], processEnv: {} });
    const check = checkEnvVars({ required: [{ name: 'DATABASE_URL' }, { name: 'SESSION_SECRET', minLength: 64 }, { name: 'API_KEY' }], values });
    expect(check.result).toEqual({
      name: 'Env Vars',
      ok: false,
      detail: 'missing DATABASE_URL; invalid SESSION_SECRET (shorter than 64 characters)',
      exitCode: 3,
    });
    expect(JSON.stringify(check.result)).not.toContain(SECRET);

    // The rollback plan written next to it holds no value either.
    const stateDir = join(root, '.deploy', 'staging');
    await writeRollbackPlan({
      stateDir,
      projectRoot: root,
      environment: 'staging',
      platform: 'local',
      strategy: 'blue-green',
      current: null,
      next: { id: 'r2', version: '1.0.0', commit: null },
      migrations: [],
      migrationTool: null,
      keepWarmMs: 900_000,
    });
    expect(await allFileText(join(root, '.deploy'))).not.toContain(SECRET);
  });

  it('passes with values from env files, the process environment winning, and returns them for green', async () => {
    const root = await makeProject({ '.env': 'DATABASE_URL=postgres://file@db/app\nMODE=fast\n', '.env.staging': 'PORT_HINT=8080\n' });
    const values = await loadEnvValues({
      projectRoot: root,
      files: [join(root, '.env'), '.env.staging'],
      processEnv: { DATABASE_URL: 'postgres://env@db/app', SESSION_SECRET: SECRET },
    });
    const check = checkEnvVars({
      required: [
        { name: 'DATABASE_URL', type: 'url' },
        { name: 'MODE', type: 'enum', values: ['fast', 'safe'] },
        { name: 'PORT_HINT', type: 'number' },
        { name: 'SESSION_SECRET', type: 'string', minLength: 16 },
      ],
      values,
    });
    expect(check.result).toEqual({ name: 'Env Vars', ok: true, detail: 'all configured (4 required)' });
    expect(check.resolved).toEqual({ DATABASE_URL: 'postgres://env@db/app', MODE: 'fast', PORT_HINT: '8080', SESSION_SECRET: SECRET });
  });

  it('checks types with zod and names what was expected, not what was found', () => {
    const check = checkEnvVars({
      required: [
        { name: 'DATABASE_URL', type: 'url' },
        { name: 'WORKERS', type: 'number' },
        { name: 'MODE', type: 'enum', values: ['fast', 'safe'] },
        { name: 'EMPTY' },
      ],
      values: { DATABASE_URL: `not a url ${SECRET}`, WORKERS: `${SECRET}`, MODE: SECRET, EMPTY: '' },
    });
    expect(check.result.detail).toBe(
      'missing EMPTY; invalid DATABASE_URL (expected a URL), WORKERS (expected a number), MODE (expected one of fast|safe)',
    );
    expect(JSON.stringify(check)).not.toContain(SECRET);
  });

  it('reports none required', () => {
    expect(checkEnvVars({ required: [], values: {} }).result).toEqual({ name: 'Env Vars', ok: true, detail: 'none required' });
  });
});
