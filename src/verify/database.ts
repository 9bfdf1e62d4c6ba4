import type { PostCheckResult } from '../contracts/summary.js';
import { probeHealthReport } from './database-health.js';
import { credentialRedactor, probePostgres } from './database-postgres.js';
import { probeSqlite, sqlitePath } from './database-sqlite.js';

export interface DatabaseCheckOptions {
  timeoutMs: number;
  /** The app's health URL; needed when the target is "health". */
  healthUrl?: string;
  /** Relative SQLite paths resolve here (default: process.cwd()). */
  cwd?: string;
  /** Where better-sqlite3 is looked up, to open SQLite files for real (optional). */
  projectRoot?: string;
}

export type DatabaseKind = 'postgres' | 'sqlite' | 'health' | 'unsupported';

export function databaseKind(target: string): DatabaseKind {
  if (target === 'health') return 'health';
  if (/^postgres(ql)?:\/\//i.test(target)) return 'postgres';
  if (/^(sqlite|file):/i.test(target)) return 'sqlite';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return 'unsupported';
  return 'sqlite';
}

/**
 * Post-deployment "Database" check. The value is "Connected" or
 * "unreachable: <reason>"; the reason never contains the URL's credentials.
 */
export async function checkDatabase(target: string, options: DatabaseCheckOptions): Promise<PostCheckResult> {
  const reason = await probe(target, options);
  return {
    name: 'Database',
    ok: reason === null,
    value: reason === null ? 'Connected' : `unreachable: ${reason}`,
    threshold: 'connected',
  };
}

async function probe(target: string, options: DatabaseCheckOptions): Promise<string | null> {
  switch (databaseKind(target)) {
    case 'health':
      if (!options.healthUrl) return 'no health URL to read the database status from';
      return probeHealthReport(options.healthUrl, options.timeoutMs);
    case 'postgres':
      return probePostgres(target, options.timeoutMs);
    case 'sqlite':
      return probeSqlite(sqlitePath(target, options.cwd ?? process.cwd()), options);
    case 'unsupported': {
      const scheme = target.slice(0, target.indexOf(':'));
      return credentialRedactor(target).redact(`unsupported database URL scheme "${scheme}:" (use postgres://, sqlite: or "health")`);
    }
  }
}
