import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** "sqlite:data/app.db", "sqlite:///abs/app.db", "file:app.db" or a plain path, resolved against `cwd`. */
export function sqlitePath(target: string, cwd: string): string {
  let path = target;
  if (path.startsWith('sqlite://')) path = path.slice('sqlite://'.length);
  else if (path.startsWith('sqlite:')) path = path.slice('sqlite:'.length);
  else if (path.startsWith('file://')) path = new URL(path).pathname;
  else if (path.startsWith('file:')) path = path.slice('file:'.length);
  path = path.split('?')[0]!;
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/**
 * The file exists, is readable and starts with the SQLite header. When the
 * project has better-sqlite3, the file is also opened read-only and its schema
 * read, which catches corruption and a locked database. Null means connected.
 */
export async function probeSqlite(path: string, options: { timeoutMs: number; projectRoot?: string }): Promise<string | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return `${path} is not a file`;
    await access(path, constants.R_OK);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return `${path} does not exist`;
    if (code === 'EACCES') return `${path} is not readable`;
    return `${path}: ${(error as Error).message}`;
  }
  const header = Buffer.alloc(HEADER.length);
  const handle = await open(path, 'r');
  try {
    const { bytesRead } = await handle.read(header, 0, HEADER.length, 0);
    if (bytesRead === 0) return `${path} is empty, not a SQLite database`;
    if (bytesRead < HEADER.length || !header.equals(HEADER)) return `${path} is not a SQLite database`;
  } finally {
    await handle.close();
  }
  return openWithDriver(path, options);
}

type Database = { prepare(sql: string): { get(): unknown }; close(): void };
type DatabaseConstructor = new (path: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => Database;

function openWithDriver(path: string, options: { timeoutMs: number; projectRoot?: string }): string | null {
  const Driver = loadDriver(options.projectRoot);
  if (!Driver) return null;
  let db: Database | undefined;
  try {
    db = new Driver(path, { readonly: true, fileMustExist: true, timeout: options.timeoutMs });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return null;
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  } finally {
    db?.close();
  }
}

/** better-sqlite3 resolved from the project being deployed, if it has it; shipgate does not depend on it. */
export function loadDriver(projectRoot: string | undefined): DatabaseConstructor | null {
  if (!projectRoot) return null;
  try {
    const require = createRequire(join(projectRoot, 'package.json'));
    return require('better-sqlite3') as DatabaseConstructor;
  } catch {
    return null;
  }
}
