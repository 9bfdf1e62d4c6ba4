import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalWriter, isInterrupted, readJournal } from '../../src/journal/journal.js';

const dir = mkdtempSync(join(tmpdir(), 'shipgate-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('write-ahead journal', () => {
  it('records each phase before acting, in order, and is gone once the run finishes', async () => {
    const journal = new JournalWriter(dir);
    await journal.begin({ kind: 'deploy', environment: 'staging', from: 'r1' });
    await journal.phase('green-started', { release: 'r2', green: { id: 'r2', pid: null, port: 4100 } });
    await journal.phase('switching', { switched: { to: 'r2', from: 'r1' } });
    const written = await readJournal(dir);
    expect(written).toMatchObject({ pid: process.pid, phase: 'switching', from: 'r1', release: 'r2', switched: { to: 'r2', from: 'r1' } });
    expect(written!.phases.map((p) => p.phase)).toEqual(['started', 'green-started', 'switching']);
    // Its writer (this process) is alive: not interrupted.
    expect(isInterrupted(written)).toBe(false);
    await journal.finish();
    expect(await readJournal(dir)).toBeNull();
  });

  it('a journal whose writer is dead is an interrupted run', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const journal = new JournalWriter(dir);
    await journal.begin({ kind: 'deploy', environment: 'staging', from: null });
    const written = { ...(await readJournal(dir))!, pid: Number(dead.stdout) };
    expect(isInterrupted(written)).toBe(true);
    expect(isInterrupted({ ...written, phase: 'done' })).toBe(false);
    expect(isInterrupted(null)).toBe(false);
    await journal.finish();
  });
});
