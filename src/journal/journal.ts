import { isPidAlive } from '../lock/holder.js';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomicSync } from '../state/atomic-write.js';

/** The phases a deployment records, each written before the action it names. */
export type JournalPhase = 'started' | 'release-created' | 'green-starting' | 'green-started' | 'switching' | 'switched' | 'verifying' | 'rolling-back' | 'done';

export interface Journal {
  /** The orchestrator process that writes it: recovery only touches a journal whose writer is dead. */
  pid: number;
  kind: 'deploy' | 'rollback';
  environment: string;
  startedAt: string;
  phase: JournalPhase;
  /** The release traffic was on when the run started: the last verified one (null on a first deploy). */
  from: string | null;
  /** The release being deployed (green) once known. */
  release: string | null;
  green: { id: string; pid: number | null; port: number | null } | null;
  switched: { to: string; from: string | null } | null;
  /** Every phase with its time, in order. */
  phases: Array<{ phase: JournalPhase; at: string }>;
}

export function journalPath(stateDir: string): string {
  return join(stateDir, 'journal.json');
}

export async function readJournal(stateDir: string): Promise<Journal | null> {
  try {
    return JSON.parse(await readFile(journalPath(stateDir), 'utf8')) as Journal;
  } catch {
    return null;
  }
}

export async function clearJournal(stateDir: string): Promise<void> {
  await rm(journalPath(stateDir), { force: true });
}

export { isPidAlive };

/** An unfinished journal whose writer is gone: a deployment that was killed and needs recovery. */
export function isInterrupted(journal: Journal | null): journal is Journal {
  return journal !== null && journal.phase !== 'done' && !isPidAlive(journal.pid);
}

/**
 * The write-ahead journal of one run: `begin` creates it, `phase` records the next step before it is taken
 * (atomic write, so a crash leaves the previous phase readable), `finish` removes it.
 */
export class JournalWriter {
  private current: Journal | null = null;
  constructor(private readonly stateDir: string) {}

  async begin(input: { kind: Journal['kind']; environment: string; from: string | null }): Promise<void> {
    const at = new Date().toISOString();
    this.current = { pid: process.pid, kind: input.kind, environment: input.environment, startedAt: at, phase: 'started', from: input.from, release: null, green: null, switched: null, phases: [{ phase: 'started', at }] };
    writeJsonAtomicSync(journalPath(this.stateDir), this.current);
  }

  get active(): boolean {
    return this.current !== null;
  }

  async phase(phase: JournalPhase, patch: Partial<Pick<Journal, 'release' | 'green' | 'switched'>> = {}): Promise<void> {
    if (!this.current) return;
    this.current = { ...this.current, ...patch, phase, phases: [...this.current.phases, { phase, at: new Date().toISOString() }] };
    writeJsonAtomicSync(journalPath(this.stateDir), this.current);
  }

  async finish(): Promise<void> {
    if (!this.current) return;
    this.current = null;
    await clearJournal(this.stateDir);
  }

  /**
   * The run was refused (a UserError) before it recorded any step: nothing the journal tracks has happened, so it
   * goes, and no later command reports an "interrupted" run or recovers one. A journal past `started` stays.
   */
  async discardIfNothingRecorded(): Promise<void> {
    if (this.current?.phase === 'started') await this.finish();
  }
}

/** What a platform's recovery did, for the user (one line) and history. */
export interface RecoveryResult {
  /** The release traffic is on after recovery (null: nothing serves). */
  active: string | null;
  stopped: string[];
  /** One line for the user. */
  message: string;
  ok: boolean;
}
