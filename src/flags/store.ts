import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../state/atomic-write.js';
import { UserError, ExitCode } from '../errors.js';
import { flagTableSchema } from '../router/flags.js';
import { FLAGS_AUDIT_FILE, FLAGS_FILE, FLAG_NAME, emptyFlagTable, type FlagState, type FlagTable } from './table.js';

/** One line of `.deploy/<env>/flags-audit.jsonl`: who changed which flag, from what to what, and why. */
export interface FlagAuditRecord {
  at: string;
  flag: string;
  action: 'set' | 'enable' | 'disable' | 'rollout-step' | 'rollout-abort' | 'rollout-done';
  from: Pick<FlagState, 'enabled' | 'percent'> | null;
  to: Pick<FlagState, 'enabled' | 'percent'>;
  by: string;
  reason?: string;
}

/** The flag table of one environment on disk: written atomically, every change audited. */
export class FlagStore {
  constructor(
    readonly stateDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get path(): string {
    return join(this.stateDir, FLAGS_FILE);
  }

  async read(): Promise<FlagTable> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null) return emptyFlagTable();
    const parsed = flagTableSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new UserError(`${this.path}: not a flag table (${parsed.error.issues[0]?.message ?? 'invalid'})`, ExitCode.usage);
    return parsed.data;
  }

  /** Applies one change to one flag and records it; returns the new table. */
  async change(flag: string, action: FlagAuditRecord['action'], to: Pick<FlagState, 'enabled' | 'percent'>, reason?: string): Promise<FlagTable> {
    assertFlagName(flag);
    const table = await this.read();
    const before = table.flags[flag];
    const at = this.now().toISOString();
    const next: FlagTable = { ...table, version: table.version + 1, flags: { ...table.flags, [flag]: { ...to, updatedAt: at } } };
    await writeJsonAtomic(this.path, next);
    const record: FlagAuditRecord = {
      at,
      flag,
      action,
      from: before ? { enabled: before.enabled, percent: before.percent } : null,
      to,
      by: process.env.USER ?? 'unknown',
      ...(reason ? { reason } : {}),
    };
    await appendFile(join(this.stateDir, FLAGS_AUDIT_FILE), JSON.stringify(record) + '\n', { mode: 0o600 });
    return next;
  }

  async setUserHeader(header: string | null): Promise<FlagTable> {
    const table = await this.read();
    const next = { ...table, version: table.version + 1, userHeader: header };
    await writeJsonAtomic(this.path, next);
    return next;
  }

  async audit(): Promise<FlagAuditRecord[]> {
    const text = await readFile(join(this.stateDir, FLAGS_AUDIT_FILE), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as FlagAuditRecord);
  }
}

export function assertFlagName(flag: string): void {
  if (!FLAG_NAME.test(flag)) throw new UserError(`flag "${flag}": expected a name of letters, digits, ".", "_" or "-"`, ExitCode.usage);
}
