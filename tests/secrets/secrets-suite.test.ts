import { releasesDir } from '../../src/platforms/local/releases.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli, type CliResult } from '../cli/helpers.js';
import { startReceiver } from '../notify/receiver.js';
import { ensureBuilt } from '../setup/build.js';

/**
 * The secrets suite (issue 21): distinctive values planted through every input a deploy reads, then deploys that
 * succeed, crash while logging their environment, and roll back, with --verbose and --json, notifications to real
 * local receivers, `history --json` and `status --json`. Every output is searched for every value and its spellings.
 */
const PLANTED = {
  // process environment, listed in env.required
  API_KEY: 'planted-api-key-A1b2C3d4e5',
  // .env.staging
  SESSION_SECRET: 'planted-session-Z9y8X7w6v5',
  DB_PASSWORD: 'planted-db-pw-Q5r6S7t8',
  // notify: the HMAC key (process environment) and a token in the webhook URL's path (the config)
  HOOK_SECRET: 'planted-hmac-K3l4M5n6o7',
  HOOK_PATH_TOKEN: 'planted-path-token-M7n8P9q0',
  // a platform token that is set but never used by the local platform
  RAILWAY_TOKEN: 'planted-railway-token-R1s2T3u4',
};
const DATABASE_URL = `postgres://app:${PLANTED.DB_PASSWORD}@127.0.0.1:5/app`;

/** The crashing release prints its configuration the way apps do: as JSON, as a URL, and the password alone. */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const mode = fs.readFileSync(__dirname + '/mode.txt', 'utf8').trim();
if (mode === 'crash') {
  console.log('config', JSON.stringify({ API_KEY: process.env.API_KEY, SESSION_SECRET: process.env.SESSION_SECRET, DATABASE_URL: process.env.DATABASE_URL }));
  console.error('connecting to', process.env.DATABASE_URL);
  console.error('db password', new URL(process.env.DATABASE_URL).password);
  console.error('session', encodeURIComponent(process.env.SESSION_SECRET), 'api', process.env.API_KEY);
  process.exit(1);
}
http.createServer((req, res) => {
  res.setHeader('x-release', process.env.RELEASE_ID || '');
  res.end(req.url === '/health' ? 'ok' : 'hello ' + mode);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

interface Output {
  what: string;
  text: string;
  /** Where the file is, for files. */
  path?: string;
}

const outputs: Output[] = [];
let dir = '';
let env: NodeJS.ProcessEnv = {};
let good: Awaited<ReturnType<typeof startReceiver>>;
let failing: Awaited<ReturnType<typeof startReceiver>>;

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=s@example.com', '-c', 'user.name=s', ...args], { cwd: dir, stdio: 'ignore' });
}

function release(mode: string): void {
  writeFileSync(join(dir, 'mode.txt'), `${mode}\n`);
  git('commit', '-qam', mode);
}

async function cli(what: string, args: string[]): Promise<CliResult> {
  const result = await runCli(args, { cwd: dir, env });
  outputs.push({ what: `${what} stdout`, text: result.stdout }, { what: `${what} stderr`, text: result.stderr });
  return result;
}

/** Every file under .deploy/ (the app's own stdout/stderr files, app.log, are left out by the caller: they are the app's output). */
/**
 * Every file deploy wrote for the project: `.deploy/`, and the releases, which live outside the project
 * (src/releases/location.ts), named as if under `.deploy/staging/releases/`.
 */
function deployFiles(root: string): Output[] {
  const found: Output[] = [];
  const walk = (path: string, label: (full: string) => string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full, label);
      else if (entry.isFile()) found.push({ what: label(full), text: readFileSync(full, 'latin1'), path: full });
    }
  };
  walk(root, (full) => relative(dir, full));
  const releases = releasesDir(join(root, 'staging'));
  walk(releases, (full) => join('.deploy/staging/releases', relative(releases, full)));
  return found;
}

/** Each planted value in the forms an output could carry it: raw, JSON-escaped, percent-encoded. */
function spellings(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(PLANTED)) {
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])) out.push([name, form]);
  }
  return out;
}

function leaks(list: Output[]): string[] {
  const found: string[] = [];
  for (const { what, text } of list) for (const [name, form] of spellings()) if (text.includes(form)) found.push(`${name} in ${what}`);
  return found;
}

describe('secrets suite: planted values never appear in any output', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    await ensureBuilt();
    good = await startReceiver([{ status: 200, body: 'ok' }]);
    // A receiver that fails and echoes what it got, as a misconfigured proxy might: its answer lands in history.
    failing = await startReceiver([{ status: 500, body: `bad signature for key ${PLANTED.HOOK_SECRET} at /hooks/${PLANTED.HOOK_PATH_TOKEN}` }]);
    dir = mkdtempSync(join(tmpdir(), 'shipgate-secrets-'));
    const port = await freePort();
    writeFileSync(join(dir, 'server.js'), SERVER);
    writeFileSync(join(dir, 'mode.txt'), 'good\n');
    writeFileSync(join(dir, '.gitignore'), '.deploy/\n.env.*\n');
    writeFileSync(join(dir, '.env.staging'), `SESSION_SECRET=${PLANTED.SESSION_SECRET}\nDATABASE_URL="${DATABASE_URL}"\nNODE_ENV=staging\n`);
    writeFileSync(
      join(dir, 'deploy.config.yaml'),
      [
        'app: vault',
        'platform: local',
        'start: node server.js',
        'health: { path: /health, interval: 100ms, timeout: 10s }',
        'tests: false',
        'migrations: none',
        'env:',
        '  required: [API_KEY]',
        '  files: [".env.${environment}"]',
        'verify: { smoke: ["GET /"], window: 1s, minRequests: 5 }',
        'drainTimeout: 1s',
        'guard: 1s',
        'notify:',
        '  webhooks:',
        `    - { url: "${good.url}/hooks/${PLANTED.HOOK_PATH_TOKEN}", secretEnv: HOOK_SECRET }`,
        `    - { url: "${failing.url}/hooks/${PLANTED.HOOK_PATH_TOKEN}", secretEnv: HOOK_SECRET, events: [deploy.succeeded] }`,
        'environments:',
        `  staging: { port: ${port} }`,
        '',
      ].join('\n'),
    );
    env = {
      API_KEY: PLANTED.API_KEY,
      HOOK_SECRET: PLANTED.HOOK_SECRET,
      RAILWAY_TOKEN: PLANTED.RAILWAY_TOKEN,
    };
    execFileSync('git', ['init', '-q'], { cwd: dir });
    // The same project with a test suite whose failing test is named after a secret, for a run the pre-checks block.
    writeFileSync(join(dir, 'secret.test.js'), "const test = require('node:test');\ntest('login with ' + process.env.API_KEY + ' and ' + process.env.HOOK_SECRET, () => { throw new Error('no'); });\n");
    writeFileSync(join(dir, 'deploy.failing.yaml'), readFileSync(join(dir, 'deploy.config.yaml'), 'utf8').replace('tests: false', 'tests: node --test secret.test.js'));
    git('add', '-A');
    git('commit', '-qm', 'vault');
  }, 300_000);

  afterAll(async () => {
    await good?.close();
    await failing?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deploys, crashes while logging its config, deploys again, rolls back, and nothing prints or stores a planted value', async () => {
    const first = await cli('deploy --json --verbose', ['staging', '--json', '--verbose', '--yes']);
    expect(first.code, first.stderr).toBe(0);

    release('crash');
    const crashJson = await cli('crashing deploy --json --verbose', ['staging', '--json', '--verbose', '--yes']);
    expect(crashJson.code, crashJson.stderr).toBe(1);
    const summary = JSON.parse(crashJson.stdout) as { logTail?: string[] };
    // The tail is there, and the crash's config dump in it is redacted.
    expect(summary.logTail?.join('\n')).toMatch(/config .*\*\*\*/);
    expect(summary.logTail?.join('\n')).toContain('db password ***');
    const crashHuman = await cli('crashing deploy (human)', ['staging', '--yes']);
    expect(crashHuman.code, crashHuman.stderr).toBe(1);
    expect(crashHuman.stdout).toContain('Last log lines of the new release');

    const blocked = await cli('blocked deploy --json --verbose', ['staging', '--config', 'deploy.failing.yaml', '--json', '--verbose', '--yes']);
    expect(blocked.code, blocked.stderr).toBe(3);
    const tests = (JSON.parse(blocked.stdout) as { checks: { pre: Array<{ name: string; detail: string }> } }).checks.pre.find((c) => /test/i.test(c.name));
    expect(tests?.detail).toMatch(/failing: login with \*\*\* and \*\*\*/);

    release('good-again');
    const second = await cli('second deploy', ['staging', '--yes']);
    expect(second.code, second.stderr).toBe(0);
    const rollback = await cli('rollback --verbose', ['rollback', 'staging', '--verbose', '--yes']);
    expect(rollback.code, rollback.stderr).toBe(0);

    const status = await cli('status --json', ['status', 'staging', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const history = await cli('history --json', ['history', 'staging', '--json']);
    expect(history.code, history.stderr).toBe(0);
    const records = JSON.parse(history.stdout) as Array<{ type: string; environment: string; reason?: string }>;
    // The failing receiver's echo reached history, redacted; records keep their environment name.
    expect(records.some((r) => r.type === 'notify-failure' && r.reason?.includes('***'))).toBe(true);
    expect(records.every((r) => r.environment === 'staging')).toBe(true);

    const stop = await cli('stop', ['stop', 'staging', '--yes']);
    expect(stop.code, stop.stderr).toBe(0);

    expect(good.received.length).toBeGreaterThan(0);
    expect(failing.received.length).toBeGreaterThan(0);
    const notifications = [...good.received, ...failing.received].map((r, i) => ({ what: `notification ${i}`, text: `${r.path} ${JSON.stringify(r.headers)} ${r.body}` }));
    // The receivers were called at the configured URL (token in the path), which is where a token belongs.
    const bodies = notifications.map((n) => ({ ...n, text: n.text.split(' ').slice(1).join(' ') }));
    const all = deployFiles(join(dir, '.deploy'));
    const appLogs = all.filter((f) => f.what.endsWith('/.shipgate/app.log'));
    // The crashing release did print its secrets (into its own owner-only log, which retention may since have pruned
    // with the failed release); what deploy showed of them was redacted, and it wrote none of them anywhere else.
    expect(outputs.some((o) => o.text.includes('***'))).toBe(true);
    // A release tree is a copy of the committed project: the config with its webhook URL is the user's own file.
    const copies = all.filter((f) => {
      const inProject = /^\.deploy\/staging\/releases\/[^/]+\/(.+)$/.exec(f.what)?.[1];
      return inProject !== undefined && !inProject.startsWith('.shipgate/') && existsSync(join(dir, inProject)) && readFileSync(join(dir, inProject), 'latin1') === f.text;
    });
    const files = all.filter((f) => !appLogs.includes(f) && !copies.includes(f));
    expect(files.map((f) => f.what)).toEqual(expect.arrayContaining(['.deploy/staging/history.jsonl', '.deploy/staging/state.json']));
    expect(leaks([...outputs, ...bodies, ...files])).toEqual([]);
  });

  it('writes history, state and the app logs owner-only (0600)', () => {
    const logs = deployFiles(join(dir, '.deploy')).filter((f) => f.what.endsWith('/.shipgate/app.log')).map((f) => f.path!);
    expect(logs.length).toBeGreaterThan(0);
    for (const file of ['.deploy/staging/history.jsonl', '.deploy/staging/state.json', ...logs]) {
      const path = file.startsWith('/') ? file : join(dir, file);
      expect(existsSync(path)).toBe(true);
      expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    }
  });
});
