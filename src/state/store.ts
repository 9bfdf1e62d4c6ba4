import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../contracts/history.js';
import { ExitCode, UserError } from '../errors.js';
import type { Redactor } from '../exec/redact.js';
import { redactDeep } from '../secrets/redact-deep.js';
import { writeJsonAtomic } from './atomic-write.js';
import { assertRealStateDirs, ensureDeployDir, stateDirOf } from './deploy-dir.js';
import { EnvironmentStateSchema, emptyState, type EnvironmentState } from './schema.js';

/** state.json and history.jsonl hold release facts and reasons, never meant for other users: owner-only. */
export const STATE_FILE_MODE = 0o600;

export interface StateStoreOptions {
  /** Passes every string of what is written (history records, state) through it: the run's secrets never land on disk. */
  redactor?: Redactor;
}

/**
 * One environment's state under `.deploy/<env>/`: state.json (rewritten atomically) and
 * history.jsonl (append-only, one JSON object per line). Reading never creates anything.
 */
export class StateStore {
  readonly dir: string;
  readonly statePath: string;
  readonly historyPath: string;

  constructor(
    readonly projectRoot: string,
    readonly environment: string,
    private readonly options: StateStoreOptions = {},
  ) {
    this.dir = stateDirOf(projectRoot, environment);
    this.statePath = join(this.dir, 'state.json');
    this.historyPath = join(this.dir, 'history.jsonl');
  }

  exists(): boolean {
    return existsSync(this.statePath);
  }

  async read(): Promise<EnvironmentState> {
    assertRealStateDirs(this.projectRoot, this.environment);
    if (!existsSync(this.statePath)) return emptyState(this.environment);
    let data: unknown;
    try {
      data = JSON.parse(await readFile(this.statePath, 'utf8'));
    } catch {
      throw new UserError(`${this.relative('state.json')} is not valid JSON; state is uncertain, inspect it before deploying`, ExitCode.needsHuman);
    }
    const parsed = EnvironmentStateSchema.safeParse(data);
    if (!parsed.success) throw new UserError(`${this.relative('state.json')} has an unexpected shape; state is uncertain, inspect it before deploying`, ExitCode.needsHuman);
    return parsed.data;
  }

  async write(state: EnvironmentState): Promise<void> {
    await this.ensure();
    await writeJsonAtomic(this.statePath, this.redact({ ...state, updatedAt: new Date().toISOString() }), STATE_FILE_MODE);
  }

  /** Read-modify-write. Callers hold the environment's deploy lock, so there is one writer. */
  async update(change: (state: EnvironmentState) => EnvironmentState | void): Promise<EnvironmentState> {
    const current = await this.read();
    const draft = structuredClone(current);
    const next = change(draft) ?? draft;
    await this.write(next);
    return next;
  }

  /**
   * One write per record with O_APPEND, so concurrent appends never interleave inside a line. A file made before
   * history was owner-only gets its mode tightened on the next append.
   */
  async appendHistory(record: HistoryRecord): Promise<void> {
    await this.ensure();
    const handle = await open(this.historyPath, 'a', STATE_FILE_MODE);
    try {
      if (((await handle.stat()).mode & 0o077) !== 0) await handle.chmod(STATE_FILE_MODE);
      await handle.write(JSON.stringify(this.redact(record)) + '\n');
    } finally {
      await handle.close();
    }
  }

  /** Newest last. A torn last line (crash mid-append) is skipped, not fatal. */
  async readHistory(limit?: number): Promise<HistoryRecord[]> {
    assertRealStateDirs(this.projectRoot, this.environment);
    if (!existsSync(this.historyPath)) return [];
    const records: HistoryRecord[] = [];
    for (const line of (await readFile(this.historyPath, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line) as HistoryRecord);
      } catch {
        // A partial line from an interrupted write carries nothing we can trust.
      }
    }
    return limit === undefined ? records : records.slice(-limit);
  }

  async ensure(): Promise<void> {
    await ensureDeployDir(this.projectRoot);
    assertRealStateDirs(this.projectRoot, this.environment);
    await mkdir(this.dir, { recursive: true });
  }

  private redact<T>(value: T): T {
    return this.options.redactor ? redactDeep(value, this.options.redactor) : value;
  }

  private relative(file: string): string {
    return `.deploy/${this.environment}/${file}`;
  }
}

/** Environments that have a state directory, in name order. */
export async function environmentsWithState(projectRoot: string): Promise<string[]> {
  const dir = join(projectRoot, '.deploy');
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(join(dir, e.name, 'state.json'))).map((e) => e.name).sort();
}
