import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { interpolate } from '../../src/config/interpolate.js';
import { parseDotenv } from '../../src/config/dotenv.js';
import { failure, project } from './helpers.js';

const SECRET = 'postgres://app:hunter2-PLANTED@db.internal/shop';

describe('${VAR} interpolation', () => {
  it('takes values from the process environment over env files, and marks them secret', async () => {
    const dir = project(
      `app: shop
start: node server.js --name \${app}
env: { required: [DATABASE_URL, SESSION_SECRET], files: [".env.\${environment}"] }
verify:
  database: \${DATABASE_URL}
environments:
  staging: { port: 4001, build: "echo \${GREETING} \${MISSING_ONE}" }
`,
      { '.env.staging': `DATABASE_URL="${SECRET}"\nSESSION_SECRET=from-file-secret\nGREETING=hello\n` },
    );
    const env = await resolveEnvironment(dir, 'staging', { env: { SESSION_SECRET: 'from-process-secret' } });
    expect(env.verify.database).toBe(SECRET);
    expect(env.start).toBe('node server.js --name shop');
    expect(env.build).toBe('echo hello ');
    expect(env.missingVars).toEqual(['MISSING_ONE']);
    expect(env.env.values).toEqual({ DATABASE_URL: SECRET, SESSION_SECRET: 'from-process-secret', GREETING: 'hello' });
    expect(env.secrets).toEqual(expect.arrayContaining([SECRET, 'from-process-secret', 'hello']));
    expect(env.secrets).not.toContain('shop');
    expect(env.env.files).toEqual([`${dir}/.env.staging`]);
  });

  it('never echoes an interpolated value in an error', async () => {
    const dir = project('app: shop\nstart: x\nurl: ${PUBLIC_URL}\nenvironments: { staging: { port: 4001 } }\n');
    const f = await failure(resolveEnvironment(dir, 'staging', { env: { PUBLIC_URL: 'not a url hunter2-PLANTED' } }));
    expect(f.exitCode).toBe(2);
    expect(f.lines).toEqual(['deploy.config.yaml: environments.staging.url: expected a URL like "https://shop.example.com" (after ${VAR} interpolation)']);
    expect(f.lines.join('\n')).not.toContain('hunter2');
  });

  it('keeps $${ as a literal and reports unset names', () => {
    const r = interpolate({ a: ['$${X} ${Y}', '${Z}'], n: 3 }, { Y: 'yes' });
    expect(r.value).toEqual({ a: ['${X} yes', ''], n: 3 });
    expect(r.missing).toEqual(['Z']);
    expect(r.secrets).toEqual(['yes']);
  });
});

describe('parseDotenv', () => {
  it('handles comments, export, quotes, escapes and multi-line values', () => {
    const text = [
      '# comment',
      'export A=1',
      'B = two words # trailing comment',
      "C='single # kept'",
      'D="line1\\nline2 \\"q\\""',
      'E="multi',
      'line"',
      'F=',
      'not a pair',
      'G=a=b',
    ].join('\r\n');
    expect(parseDotenv(text)).toEqual({ A: '1', B: 'two words', C: 'single # kept', D: 'line1\nline2 "q"', E: 'multi\nline', F: '', G: 'a=b' });
  });
});
