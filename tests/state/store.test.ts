import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { StateStore, environmentsWithState } from '../../src/state/store.js';

const root = () => mkdtempSync(join(tmpdir(), 'shipgate-state-'));
const record = (over: Partial<HistoryRecord> = {}): HistoryRecord => ({
  ts: new Date().toISOString(),
  type: 'deploy',
  environment: 'staging',
  status: 'success',
  verified: true,
  user: 'u',
  host: 'h',
  ...over,
});

describe('StateStore', () => {
  it('reading creates nothing; an unknown environment has an empty state', async () => {
    const dir = root();
    const store = new StateStore(dir, 'staging');
    expect(await store.read()).toMatchObject({ environment: 'staging', active: null, previous: null, releases: [] });
    expect(await store.readHistory()).toEqual([]);
    expect(existsSync(join(dir, '.deploy'))).toBe(false);
  });

  it('writes state.json atomically under a .deploy/ that ignores itself', async () => {
    const dir = root();
    const store = new StateStore(dir, 'staging');
    await store.update((s) => {
      s.url = 'http://localhost:4001';
      s.active = { release: 'r1', upstream: '127.0.0.1:4100', since: 'now', running: true };
      s.releases.push({ id: 'r1', version: '1.0.0', commit: 'abc', contentHash: 'h', createdAt: 'now' });
    });
    expect(readFileSync(join(dir, '.deploy', '.gitignore'), 'utf8')).toBe('*\n');
    expect((await store.read()).active).toEqual({ release: 'r1', upstream: '127.0.0.1:4100', since: 'now', running: true });
    expect(readdirSync(store.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await environmentsWithState(dir)).toEqual(['staging']);
  });

  it('appends history and skips a torn last line', async () => {
    const store = new StateStore(root(), 'staging');
    await store.appendHistory(record({ status: 'success' }));
    await store.appendHistory(record({ status: 'rolled_back', verified: false }));
    appendFileSync(store.historyPath, '{"ts":"2025-01');
    const all = await store.readHistory();
    expect(all.map((r) => r.status)).toEqual(['success', 'rolled_back']);
    expect((await store.readHistory(1)).map((r) => r.status)).toEqual(['rolled_back']);
  });

  it('a corrupt state.json means a human is needed (exit 4), not a silent reset', async () => {
    const store = new StateStore(root(), 'staging');
    await store.write((await store.read()));
    writeFileSync(store.statePath, '{"schemaVersion": 1, "half');
    await expect(store.read()).rejects.toMatchObject({ exitCode: 4, message: expect.stringContaining('.deploy/staging/state.json is not valid JSON') });
    writeFileSync(store.statePath, '{"schemaVersion": 2}');
    await expect(store.read()).rejects.toMatchObject({ exitCode: 4 });
  });
});
