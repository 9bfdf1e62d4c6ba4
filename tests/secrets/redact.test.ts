import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/exec/redact.js';
import { redactorFor } from '../../src/secrets/for-config.js';
import { secretForms } from '../../src/secrets/forms.js';
import { redactDeep } from '../../src/secrets/redact-deep.js';
import { StateStore } from '../../src/state/store.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('redaction', () => {
  it('hides a secret raw, JSON-escaped, percent-encoded, and a URL password alone (raw and decoded)', () => {
    const redactor = new Redactor();
    redactor.add('pa"ss\\word-1', 'postgres://app:p%40ss-w0rd-x@db:5432/app');
    const text = [
      'raw pa"ss\\word-1',
      `json ${JSON.stringify({ v: 'pa"ss\\word-1' })}`,
      `query ?k=${encodeURIComponent('pa"ss\\word-1')}`,
      'url postgres://app:p%40ss-w0rd-x@db:5432/app',
      'alone p%40ss-w0rd-x and p@ss-w0rd-x',
    ].join('\n');
    const out = redactor.redact(text);
    expect(out).not.toMatch(/ss\\?\\?"?word|w0rd/);
    expect(out.match(/\*\*\*/g)?.length).toBe(6);
    expect(secretForms('https://abcdefghijklmnopqrstu@hooks.example.com/x')).toContain('abcdefghijklmnopqrstu');
    expect(redactor.redact(`data: ${Buffer.from('pa"ss\\word-1').toString('base64')}`)).toBe('data: ***');
  });

  it("a config's redactor leaves the app, environment names, plain words and port numbers alone", () => {
    const redactor = redactorFor({ app: 'shop', environment: 'staging', environments: ['staging', 'production'], secrets: ['staging', 'production', 'true', '3000', 'shop', 'real-secret-value'] });
    expect(redactor.redact('shop staging on :3000 (production true) real-secret-value')).toBe('shop staging on :3000 (production true) ***');
  });

  it('redactDeep walks objects, arrays and keys, and keeps numbers and booleans', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-value');
    expect(redactDeep({ a: ['x s3cr3t-value'], 's3cr3t-value': 1, n: 2, b: true, nil: null }, redactor)).toEqual({ a: ['x ***'], '***': 1, n: 2, b: true, nil: null });
  });

  it('a StateStore with a redactor writes no secret to history or state, owner-only; an old 0644 history is tightened', async () => {
    const root = mkdtempSync(join(tmpdir(), 'shipgate-redact-store-'));
    dirs.push(root);
    const redactor = redactorFor({ app: 'shop', environment: 'staging', secrets: ['hunter2-secret'] });
    const store = new StateStore(root, 'staging', { redactor });
    await store.ensure();
    writeFileSync(store.historyPath, '', { mode: 0o644 });
    await store.appendHistory({ ts: 't', type: 'deploy', environment: 'staging', status: 'failed', verified: false, user: 'u', host: 'h', detail: 'crashed: hunter2-secret' });
    await store.update((s) => ({ ...s, active: { release: 'r1', upstream: 'hunter2-secret' } }) as typeof s);
    for (const path of [store.historyPath, store.statePath]) {
      expect(readFileSync(path, 'utf8')).not.toContain('hunter2-secret');
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
    expect((await store.readHistory())[0]).toMatchObject({ environment: 'staging', detail: 'crashed: ***' });
  });
});
