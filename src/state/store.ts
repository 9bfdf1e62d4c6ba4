import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../contracts/history.js';
import { ExitCode, UserError } from '../errors.js';
import { writeJsonAtomic } from './atomic-write.js';
import { ensureDeployDir, stateDirOf } from './deploy-dir.js';
import { EnvironmentStateSchema, emptyState, type EnvironmentState } from './schema.js';

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
  ) {
    this.dir = stateDirOf(projectRoot, environment);
    this.statePath = join(this.dir, 'state.json');
    this.historyPath = join(this.dir, 'history.jsonl');
  }

  exists(): boolean {
    return existsSync(this.statePath);
  }

  async read(): Promise<EnvironmentState> {
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
    await writeJsonAtomic(this.statePath, { ...state, updatedAt: new Date().toISOString() });
  }

  /** Read-modify-write. Callers hold the environment's deploy lock, so there is one writer. */
  async update(change: (state: EnvironmentState) => EnvironmentState | void): Promise<EnvironmentState> {
    const current = await this.read();
    const draft = structuredClone(current);
    const next = change(draft) ?? draft;
    await this.write(next);
    return next;
  }

  /** One write per record with O_APPEND, so concurrent appends never interleave inside a line. */
  async appendHistory(record: HistoryRecord): Promise<void> {
    await this.ensure();
    await appendFile(this.historyPath, JSON.stringify(record) + '\n', { flag: 'a' });
  }

  /** Newest last. A torn last line (crash mid-append) is skipped, not fatal. */
  async readHistory(limit?: number): Promise<HistoryRecord[]> {
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
    await mkdir(this.dir, { recursive: true });
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
