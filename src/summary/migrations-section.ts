import type { MigrationFileReport, MigrationsReport } from '../contracts/summary.js';

const MARK: Record<MigrationFileReport['state'], string> = { applied: '✅', failed: '❌', pending: '⏸' };

/** Nothing pending and nothing failed: the pre-check line ("up to date") says it all. */
export function hasMigrationNews(report: MigrationsReport | undefined): report is MigrationsReport {
  return !!report && ((report.files?.length ?? 0) > 0 || (report.errors?.length ?? 0) > 0);
}

/** The human summary's section: one line per file with its kind, the tool's error lines, and the rollback's schema safety. */
export function migrationsSection(report: MigrationsReport): string[] {
  const lines = [`Migrations (${report.tool}): ${counts(report)}`];
  for (const file of report.files ?? []) {
    lines.push(`  ${MARK[file.state]} ${file.name}: ${file.state}, ${kindWords(file)}`);
    if (file.state === 'failed') lines.push(...(report.errors ?? []).map((line) => `      ${line}`));
  }
  if (!report.files?.some((f) => f.state === 'failed')) lines.push(...(report.errors ?? []).map((line) => `  ${line}`));
  const safety = safetyWords(report.rollbackSchemaSafe);
  if (safety) lines.push(`  Rollback across them: ${safety}`);
  return lines;
}

/** The plain-text summary's one line. */
export function migrationsLine(report: MigrationsReport): string {
  const files = (report.files ?? []).map((f) => `${f.state} ${f.name} (${f.kind})`);
  const error = report.errors?.[0] ? `; ${report.errors[0]}` : '';
  const safety = safetyWords(report.rollbackSchemaSafe);
  return `Migrations (${report.tool}): ${files.join(', ') || counts(report)}${error}${safety ? `; rollback ${safety}` : ''}`;
}

function counts(report: MigrationsReport): string {
  if (report.files === null) return report.errors?.length ? 'failed' : 'pending unknown';
  const by = (state: MigrationFileReport['state']) => report.files!.filter((f) => f.state === state).length;
  return [`${by('applied')} applied`, `${by('failed')} failed`, `${by('pending')} pending`].filter((part) => !part.startsWith('0 ')).join(', ') || 'none';
}

function kindWords(file: MigrationFileReport): string {
  if (file.kind === 'contract') return `contract (${file.reason}: ${file.statement})`;
  if (file.kind === 'unclassified') return `unclassified (${file.reason})`;
  return 'expand';
}

function safetyWords(safe: boolean | null | undefined): string | null {
  if (safe === undefined) return null;
  if (safe === null) return 'schema safety unknown (unclassified migration)';
  return safe ? 'schema-safe (all expand)' : 'NOT schema-safe (contract migration applied)';
}
