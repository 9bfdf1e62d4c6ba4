export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/** postgres://… or postgresql://… ; sqlite:path, sqlite://path, or a path ending in .db/.sqlite/.sqlite3. */
export function parseDatabaseTarget(value: string, cwd: string): DatabaseTarget | null {
  const trimmed = value.trim();
  if (/^postgres(?:ql)?:\/\//i.test(trimmed)) return { kind: 'postgres', url: trimmed };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(trimmed) ?? /^file:(.+)$/i.exec(trimmed);
  const path = sqlite ? sqlite[1]! : /\.(?:db|sqlite3?)$/i.test(trimmed) ? trimmed : null;
  if (!path) return null;
  return { kind: 'sqlite', path: path.startsWith('/') ? path : `${cwd}/${path}` };
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
