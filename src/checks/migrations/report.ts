import type { MigrationFileReport, MigrationsReport } from '../../contracts/summary.js';
import type { MigrationError, MigrationStatus } from './types.js';

/** Each pending migration with its kind, read from the SQL the tool would run; null when the tool cannot list them. */
export async function classifyPending(status: MigrationStatus): Promise<MigrationFileReport[] | null> {
  if (status.pending === null) return null;
  const printed = status.sql ?? {};
  // The parser (wasm) loads only when there is SQL to read.
  const classify = Object.values(printed).some((s) => 'sql' in s) ? (await import('./classify.js')).classifySql : null;
  return Promise.all(
    status.pending.map(async (name): Promise<MigrationFileReport> => {
      const source = printed[name];
      if (!source) return { name, state: 'pending', kind: 'unclassified', reason: `${status.tool} cannot print the SQL it would run` };
      if ('unclassified' in source) return { name, state: 'pending', kind: 'unclassified', reason: source.unclassified };
      const found = await classify!(source.sql);
      return { name, state: 'pending', ...found };
    }),
  );
}

/** After the apply step: which files were applied, which one failed with the tool's error lines, and whether a rollback is schema-safe. */
export function afterApply(report: MigrationsReport, applied: string[], error: MigrationError | null): MigrationsReport {
  const files = [...(report.files ?? [])];
  for (const name of applied) {
    if (!files.some((f) => f.name === name)) files.push({ name, state: 'pending', kind: 'unclassified', reason: 'not listed before it ran' });
  }
  const done = new Set(applied);
  const marked = files.map((f): MigrationFileReport => (done.has(f.name) ? { ...f, state: 'applied' } : error?.failed === f.name ? { ...f, state: 'failed' } : f));
  const out: MigrationsReport = { ...report, files: report.files === null && applied.length === 0 ? null : marked };
  if (applied.length > 0) out.rollbackSchemaSafe = schemaSafe(marked.filter((f) => f.state === 'applied'));
  if (error) out.errors = error.errors.length ? error.errors : [error.message];
  return out;
}

/** All expand: the previous release runs on the new schema. Any contract: it does not. Unclassified: unknown. */
export function schemaSafe(applied: MigrationFileReport[]): boolean | null {
  if (applied.some((f) => f.kind === 'contract')) return false;
  if (applied.some((f) => f.kind === 'unclassified')) return null;
  return true;
}
