import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRailway, railwayProblems } from '../../../src/platforms/railway/config.js';
import { RailwayApi } from '../../../src/platforms/railway/api.js';
import { buildSourceArchive, sourceFiles } from '../../../src/platforms/railway/archive.js';
import { errorShare } from '../../../src/platforms/railway/http-metrics.js';
import { isIgnored, parseIgnore } from '../../../src/platforms/railway/ignore-rules.js';
import { imageFor, settingsChange } from '../../../src/platforms/railway/managed-settings.js';
import { mergeWithHistory } from '../../../src/platforms/railway/overview.js';
import { retryDelayMs } from '../../../src/platforms/railway/rate-limit.js';
import type { ServiceInstance } from '../../../src/platforms/railway/service-instance.js';
import { authHeaders, readToken } from '../../../src/platforms/railway/token.js';
import { tarNames } from './support/fake-railway.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'railway-tree-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('upload archive: .gitignore and .railwayignore', () => {
  it('includes the working tree minus ignored files, .git and .deploy; nested ignore files apply below their folder; negation re-includes', async () => {
    const dir = tree({
      '.gitignore': 'node_modules/\n*.log\n/dist\n!keep.log\n',
      '.railwayignore': 'docs/**\n',
      'src/app.js': 'x',
      'src/.gitignore': 'generated.js\n',
      'src/generated.js': 'x',
      'lib/dist/index.js': 'x',
      'dist/out.js': 'x',
      'debug.log': 'x',
      'keep.log': 'x',
      'node_modules/a/index.js': 'x',
      'docs/guide.md': 'x',
      '.git/HEAD': 'ref',
      '.deploy/staging/state.json': '{}',
      'run.sh': '#!/bin/sh',
    });
    chmodSync(join(dir, 'run.sh'), 0o755);
    const files = await sourceFiles(dir);
    expect(files).toEqual(['.gitignore', '.railwayignore', 'keep.log', 'lib/dist/index.js', 'run.sh', 'src/.gitignore', 'src/app.js']);
    const archive = await buildSourceArchive(dir);
    // The system tar reads what we wrote: same names, modes kept.
    const listing = execFileSync('tar', ['-tzvf', '-'], { input: archive.gzip }).toString();
    expect(listing).toMatch(/-rwxr-xr-x .* run\.sh/);
    const names = execFileSync('tar', ['-tzf', '-'], { input: archive.gzip }).toString().trim().split('\n');
    expect(names).toEqual(files);
  });

  it('long paths survive (ustar prefix and pax)', async () => {
    const deep = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(90)}.txt`;
    const flat = `${'d'.repeat(120)}.txt`;
    const dir = tree({ [deep]: 'deep', [flat]: 'flat' });
    const archive = await buildSourceArchive(dir);
    const names = execFileSync('tar', ['-tzf', '-'], { input: archive.gzip }).toString().trim().split('\n').sort();
    expect(names).toEqual([deep, flat].sort());
    const { gunzipSync } = await import('node:zlib');
    expect(tarNames(gunzipSync(archive.gzip)).sort()).toEqual([deep, flat].sort());
  });

  it('gitignore patterns: anchoring, ** and directory-only rules', () => {
    const rules = parseIgnore('/build\nlogs/\n**/tmp/*.txt\na/**/z\n#comment\n\\#hash\n');
    expect(isIgnored(rules, 'build', true)).toBe(true);
    expect(isIgnored(rules, 'src/build', true)).toBe(false);
    expect(isIgnored(rules, 'x/logs', true)).toBe(true);
    expect(isIgnored(rules, 'x/logs', false)).toBe(false);
    expect(isIgnored(rules, 'p/q/tmp/f.txt', false)).toBe(true);
    expect(isIgnored(rules, 'a/z', false)).toBe(true);
    expect(isIgnored(rules, 'a/b/c/z', false)).toBe(true);
    expect(isIgnored(rules, '#hash', false)).toBe(true);
  });
});

describe('rate limits', () => {
  it('Retry-After in seconds or as a date; X-RateLimit-Reset as epoch seconds or seconds from now', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(retryDelayMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryDelayMs(new Headers({ 'retry-after': 'Fri, 27 Nov 2026 10:00:05 GMT' }), now)).toBe(5000);
    expect(retryDelayMs(new Headers({ 'x-ratelimit-reset': String(now / 1000 + 7) }), now)).toBe(7000);
    expect(retryDelayMs(new Headers({ 'x-ratelimit-reset': '2' }), now)).toBe(2000);
    expect(retryDelayMs(new Headers(), now)).toBeNull();
  });

  it('contract test: the client waits what a 429 asks (injected clock), retries, and gives up when the wait exceeds its cap', async () => {
    const waits: number[] = [];
    let calls = 0;
    const fetchImpl = (async () => {
      calls += 1;
      if (calls === 1) return new Response('{}', { status: 429, headers: { 'retry-after': '2' } });
      return new Response(JSON.stringify({ data: { me: { id: 'u' } } }), { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' } });
    }) as typeof fetch;
    let now = 0;
    const api = new RailwayApi({ token: { kind: 'account', source: 'RAILWAY_API_TOKEN', value: 'tok-123456' }, url: 'http://x/graphql/v2', fetch: fetchImpl, now: () => now, sleep: async (ms) => void (waits.push(ms), (now += ms)) });
    await expect(api.query('me')).resolves.toEqual({ me: { id: 'u' } });
    expect(waits).toEqual([2000]);
    // The budget was spent: the next call first waits for the reset.
    await api.query('me');
    expect(waits).toEqual([2000, 4000]);

    const capped = new RailwayApi({
      token: { kind: 'project', source: 'RAILWAY_TOKEN', value: 'tok-123456' },
      url: 'http://x/graphql/v2',
      fetch: (async () => new Response('{}', { status: 429, headers: { 'retry-after': '3600' } })) as typeof fetch,
      maxRetryWaitMs: 1000,
      sleep: async () => {},
    });
    await expect(capped.query('me')).rejects.toThrow(/rate limited by Railway for 3600s/);
  });

  it('GraphQL "Not Authorized" becomes an auth error that never quotes the token', async () => {
    const api = new RailwayApi({
      token: { kind: 'project', source: 'RAILWAY_TOKEN', value: 'secret-abcdef' },
      url: 'http://x/graphql/v2',
      fetch: (async () => new Response(JSON.stringify({ data: null, errors: [{ message: 'Not Authorized' }] }), { status: 200 })) as typeof fetch,
    });
    const error = (await api.query('projectToken').catch((e: unknown) => e)) as Error & { kind: string };
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain('secret-abcdef');
  });
});

describe('token, settings and config', () => {
  it('RAILWAY_TOKEN is a project token (project-access-token header); RAILWAY_API_TOKEN is Bearer', () => {
    const project = readToken({ RAILWAY_TOKEN: 'p-token', RAILWAY_API_TOKEN: 'a-token' })!;
    expect(authHeaders(project)).toEqual({ 'project-access-token': 'p-token' });
    expect(authHeaders(readToken({ RAILWAY_API_TOKEN: 'a-token' })!)).toEqual({ authorization: 'Bearer a-token' });
    expect(readToken({})).toBeNull();
  });

  it('settingsChange sets only what differs, and says so', () => {
    const instance: ServiceInstance = { id: 'i', serviceName: 'web', healthcheckPath: null, healthcheckTimeout: null, overlapSeconds: 20, drainingSeconds: null, source: { image: 'a:1' }, domains: { serviceDomains: [], customDomains: [] } };
    const settings = { ...resolveRailway({ project: 'p', service: 's', overlap: '20s', draining: '5s' })! };
    const change = settingsChange(instance, settings, '/healthz', 'a:2');
    expect(change.input).toEqual({ healthcheckPath: '/healthz', drainingSeconds: 5, source: { image: 'a:2' } });
    expect(change.notes).toHaveLength(3);
    expect(settingsChange({ ...instance, healthcheckPath: '/h', drainingSeconds: 5, source: { image: 'a:2' } }, settings, '/healthz', 'a:2').input).toEqual({});
    expect(imageFor('ghcr.io/a/b:${commit}', 'abc123')).toBe('ghcr.io/a/b:abc123');
    expect(() => imageFor('x:${commit}', null)).toThrow(/no commit/);
  });

  it('config rules name the path', () => {
    const at = (k: string) => `environments.staging.railway.${k}`;
    expect(railwayProblems(undefined, at).map((p) => p.path)).toEqual([at('project'), at('service')]);
    expect(railwayProblems({ project: 'p', service: 's', source: 'upload', image: 'x' }, at)).toEqual([{ path: at('image'), message: 'set either source: upload or image, not both' }]);
    expect(resolveRailway({ project: 'p', service: 's', deadline: '2m', pollInterval: '250ms' })).toMatchObject({ source: 'upload', deadlineMs: 120_000, pollIntervalMs: 250, setHealthcheck: true });
  });

  it('Railway HTTP metrics become a 5xx share; no samples means no figure', () => {
    expect(errorShare([{ statusCode: 200, samples: [{ ts: 1, value: 90 }] }, { statusCode: 503, samples: [{ ts: 1, value: 10 }] }])).toEqual({ rate: 0.1, requests: 100 });
    expect(errorShare([])).toBeNull();
  });

  it('mergeWithHistory labels our deploys, our rollbacks and deployments made elsewhere', () => {
    const node = (id: string) => ({ id, status: 'REMOVED' as const, canRollback: true, createdAt: '2026-11-27T10:00:00Z', staticUrl: null, creator: { name: 'ana' } });
    const base = { environment: 'staging', user: 'u', host: 'h', verified: false };
    const merged = mergeWithHistory([node('d1'), node('d2'), node('d3')], [
      { ...base, ts: '1', type: 'deploy', status: 'success', verified: true, release: { id: 'd1', version: '1', commit: null, contentHash: null } },
      { ...base, ts: '2', type: 'deploy', status: 'rolled_back', detail: 'Error Rate 5% ...; rolled back from d9 to d1 (Railway deployment d2), verified' },
    ]);
    expect(merged.map((m) => m.ours)).toEqual(['deploy success verified', 'automatic rollback of a rolled_back deploy', null]);
    expect(merged[2]!.by).toBe('ana');
  });
});

describe('dry-run steps', () => {
  it('railwayPlanSteps names the Railway target, the source and the rollback', async () => {
    const { railwayPlanSteps } = await import('../../../src/platforms/railway/plan-steps.js');
    const config = {
      environment: 'staging',
      url: 'https://shop.example.com',
      health: { path: '/health' },
      verify: { windowMs: 30_000, errorRate: 0.01, p95Ms: 500, minRequests: 200 },
      railway: resolveRailway({ project: 'p1', service: 'web', image: 'ghcr.io/a/b:${commit}' }),
    } as unknown as Parameters<typeof railwayPlanSteps>[0];
    const steps = railwayPlanSteps(config, 'deploy').map((s) => s.text);
    expect(steps.join('\n')).toContain('serviceInstanceDeployV2');
    expect(steps.join('\n')).toContain('service web in Railway environment staging (project p1)');
    expect(railwayPlanSteps(config, 'rollback', 'dep-9')[0]!.text).toContain('deploymentRollback(dep-9)');
  });
});

describe('run deadline', () => {
  it('includes twice railway.deadline and twice the verify window, so a slow remote build is not cut short', async () => {
    const { runDeadlineMs } = await import('../../../src/orchestrator/plan.js');
    const base = {
      platform: 'railway',
      tests: { skip: true, timeoutMs: 0 },
      build: null,
      strategy: 'blue-green',
      canary: { steps: [], intervalMs: 0 },
      verify: { windowMs: 30_000 },
      health: { timeoutMs: 30_000 },
      drainTimeoutMs: 30_000,
      railway: null,
    } as unknown as Parameters<typeof runDeadlineMs>[0];
    const onRailway = { ...base, railway: resolveRailway({ project: 'p1', service: 'web', deadline: '20m' }) } as Parameters<typeof runDeadlineMs>[0];
    expect(runDeadlineMs(onRailway, 'deploy', false) - runDeadlineMs(base, 'deploy', false)).toBe(2 * 20 * 60_000 + 2 * 30_000);
  });
});
