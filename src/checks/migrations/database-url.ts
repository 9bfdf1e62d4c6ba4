import { isAbsolute, resolve } from 'node:path';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/**
 * postgres://… or postgresql://… is PostgreSQL; sqlite:path, sqlite://path, file:path or a plain path is a
 * SQLite file (relative paths from the project root). Any other scheme is unsupported (null).
 */
export function parseDatabaseTarget(value: string, cwd: string): DatabaseTarget | null {
  const trimmed = value.trim();
  // verify.database: health means "trust the app's health report"; it names no database.
  if (!trimmed || trimmed === 'health') return null;
  if (/^postgres(?:ql)?:\/\//i.test(trimmed)) return { kind: 'postgres', url: trimmed };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^(?:sqlite|file):/i.test(trimmed)) return null;
  const path = trimmed.replace(/^sqlite:(?:\/\/)?/i, '').replace(/^file:(?:\/\/)?/i, '');
  if (!path) return null;
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
}

/** host:port/database without user or password, safe for messages. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `sqlite ${target.path}`;
  try {
    const url = new URL(target.url);
    return `postgres ${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'postgres (unparseable URL)';
  }
}
