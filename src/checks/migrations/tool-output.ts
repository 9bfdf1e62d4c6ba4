import type { FailureDetail } from './types.js';

/**
 * The migration CLIs print PostgreSQL's error among their own lines and a stack trace. These read it back out,
 * from each tool's documented output, so the summary shows the database's words (`ERROR: …`) and the file.
 */

const STACK_LINE = /^at\s|^\{$|^\}$|^[a-zA-Z]+: (?:undefined|'[^']*'|\d+),?$/;

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim());
}

/** knex migrate:latest: `migration file "X" failed`, then `migration failed with error: <sql> - <database message>`. */
export function knexFailure(text: string): FailureDetail {
  const all = lines(text);
  const failed = all.map((l) => /^migration file "(.+)" failed$/.exec(l)?.[1]).find(Boolean) ?? null;
  const cause = all.find((l) => l.startsWith('migration failed with error: '))?.slice('migration failed with error: '.length);
  if (!cause) return { failed, errors: firstMeaningful(all) };
  // knex joins the statement and the server's message with " - "; the message is the part after the last one.
  const cut = cause.lastIndexOf(' - ');
  if (cut === -1) return { failed, errors: [`ERROR: ${cause}`] };
  return { failed, errors: [`ERROR: ${cause.slice(cut + 3)}`, `STATEMENT: ${cause.slice(0, cut)}`] };
}

/** node-pg-migrate up: `### MIGRATION <name> (UP) ###` per file, then `Error executing:`, the SQL, `error: <database message>`. */
export function nodePgMigrateFailure(text: string): FailureDetail {
  const all = lines(text);
  const at = all.indexOf('Error executing:');
  const headers = all.slice(0, at === -1 ? all.length : at).map(migrationHeader).filter((name): name is string => name !== null);
  const failed = headers.at(-1) ?? null;
  const errorAt = all.findIndex((l, i) => i > at && l.startsWith('error: '));
  if (at === -1 || errorAt === -1) return { failed, errors: firstMeaningful(all) };
  const statement = all.slice(at + 1, errorAt).filter(Boolean).join(' ');
  return { failed, errors: [`ERROR: ${all[errorAt]!.slice('error: '.length)}`, ...(statement ? [`STATEMENT: ${statement}`] : [])] };
}

/** node-pg-migrate up --dry-run: the SQL each migration would run, by name, under its `### MIGRATION` header. */
export function nodePgMigrateSql(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current: string | null = null;
  for (const line of text.split('\n')) {
    const header = migrationHeader(line.trim());
    if (header !== null) {
      current = header;
      out[current] = '';
    } else if (line.trim() === 'Migrations complete!') current = null;
    else if (current !== null) out[current] += `${line}\n`;
  }
  return out;
}

function migrationHeader(line: string): string | null {
  return /^### MIGRATION (.+) \(UP\) ###$/.exec(line)?.[1] ?? null;
}

/** Without the tool's usual error layout: its first lines that are not a stack trace or a banner. */
export function firstMeaningful(all: string[]): string[] {
  return all.filter((l) => l && !STACK_LINE.test(l) && !l.startsWith('Using environment') && !l.startsWith('>')).slice(0, 3);
}
