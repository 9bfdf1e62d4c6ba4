import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlagStore } from '../../src/flags/store.js';
import { flagsFrom } from '../../src/flags/client.js';
import { FlagEvaluator } from '../../src/router/flags.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('flag store', () => {
  it('writes the table, audits each change, and the router loads it at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flags-store-'));
    dirs.push(dir);
    const store = new FlagStore(dir, () => new Date('2026-01-01T00:00:00Z'));
    await store.change('beta', 'set', { enabled: true, percent: 25 }, 'try it');
    await store.change('beta', 'disable', { enabled: false, percent: 25 });
    const table = await store.read();
    expect(table).toMatchObject({ version: 2, flags: { beta: { enabled: false, percent: 25 } } });
    const audit = await store.audit();
    expect(audit).toMatchObject([
      { flag: 'beta', action: 'set', from: null, to: { enabled: true, percent: 25 }, reason: 'try it' },
      { flag: 'beta', action: 'disable', from: { enabled: true, percent: 25 }, to: { enabled: false, percent: 25 } },
    ]);
    expect(readFileSync(join(dir, 'flags.json'), 'utf8')).toContain('"beta"');
    const evaluator = new FlagEvaluator();
    await evaluator.load(dir);
    expect(evaluator.current().version).toBe(2);
    await expect(store.change('bad name!', 'set', { enabled: true, percent: 1 })).rejects.toThrow(/flag "bad name!"/);
  });
});

describe('flag evaluation', () => {
  it('splits new clients by percent, keeps a client by cookie or user header, and counts both cohorts', () => {
    const evaluator = new FlagEvaluator();
    evaluator.set({ version: 1, userHeader: 'x-user-id', flags: { half: { enabled: true, percent: 50, updatedAt: '' }, off: { enabled: false, percent: 100, updatedAt: '' } } });
    let on = 0;
    for (let i = 0; i < 2_000; i++) {
      const decision = evaluator.decide(request({}))!;
      expect(decision.setCookie).toMatch(/^shipgate_flags=/);
      expect(decision.header.includes('off')).toBe(false);
      if (decision.header === 'half') on++;
      for (const meter of decision.meters) meter.record(200, 1_000, false);
    }
    expect(on / 2_000).toBeGreaterThan(0.4);
    expect(on / 2_000).toBeLessThan(0.6);
    const { flagged, unflagged } = evaluator.metrics('half', 5_000);
    expect(flagged.requests).toBe(on);
    expect(unflagged.requests).toBe(2_000 - on);
    const byUser = evaluator.decide(request({ 'x-user-id': 'alice' }))!;
    expect(byUser.setCookie).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(evaluator.decide(request({ 'x-user-id': 'alice' }))!.header).toBe(byUser.header);
    const signed = `shipgate_flags=${evaluator.signer.sign('abc')}`;
    const byCookie = evaluator.decide(request({ cookie: `a=1; ${signed}` }))!;
    expect(byCookie.setCookie).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(evaluator.decide(request({ cookie: signed }))!.header).toBe(byCookie.header);
    // An unsigned or forged cookie is no cookie: a new signed key is handed out.
    for (const forged of ['shipgate_flags=abc', `shipgate_flags=abd.${evaluator.signer.sign('abc').split('.')[1]}`]) {
      expect(evaluator.decide(request({ cookie: forged }))!.setCookie).toMatch(/^shipgate_flags=[\w-]+\.[\w-]+;/);
    }
    evaluator.set({ version: 2, userHeader: null, flags: {} });
    expect(evaluator.decide(request({}))).toBeNull();
  });

  it('the app helper reads the header from node and fetch requests', () => {
    expect([...flagsFrom({ headers: { 'x-shipgate-flags': 'a, b' } })]).toEqual(['a', 'b']);
    expect(flagsFrom({ headers: {} }).size).toBe(0);
    expect(flagsFrom(new Request('http://x/', { headers: { 'x-shipgate-flags': 'c' } })).has('c')).toBe(true);
  });
});
