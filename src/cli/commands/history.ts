import { formatDuration } from '../../config/duration.js';
import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import type { HistoryRecord } from '../../contracts/history.js';
import { UserError } from '../../errors.js';
import { StateStore } from '../../state/store.js';
import type { CliOptions } from '../options.js';

const MARK: Record<HistoryRecord['status'], string> = {
  success: '✅',
  rolled_back: '↩️',
  failed: '❌',
  blocked: '⛔',
  interrupted: '⚠️',
  recovered: '🩹',
  info: 'ℹ️',
};

/** Lists history.jsonl records, oldest first, of one environment or all of them merged by time. */
export async function historyCommand(options: CliOptions, environment?: string): Promise<number> {
  const limit = Number(options.limit ?? '20');
  if (!Number.isInteger(limit) || limit < 1) throw new UserError('--limit: expected a positive whole number');
  if (environment) assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  if (environment) assertKnownEnvironment(config, environment);
  const names = environment ? [environment] : Object.keys(config.environments);
  const records: HistoryRecord[] = [];
  for (const name of names) records.push(...(await new StateStore(projectRoot, name).readHistory()));
  const shown = records.sort((a, b) => a.ts.localeCompare(b.ts)).slice(-limit);

  if (options.json) {
    process.stdout.write(JSON.stringify(shown) + '\n');
    return 0;
  }
  if (shown.length === 0) {
    process.stdout.write(`no history yet${environment ? ` for ${environment}` : ''}\n`);
    return 0;
  }
  for (const r of shown) process.stdout.write(formatRecord(r) + '\n');
  return 0;
}

export function formatRecord(r: HistoryRecord): string {
  const release = r.release ? [r.release.id, r.release.version, r.release.commit?.slice(0, 7)].filter(Boolean).join(' ') : '';
  const post = r.checks?.post.filter((p) => !p.ok).map((p) => `${p.name} ${p.value}`).join(', ');
  const parts = [
    r.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.environment.padEnd(10),
    r.type.padEnd(8),
    `${MARK[r.status] ?? ''} ${r.status}`.padEnd(14),
    release,
    r.durationMs !== undefined ? formatDuration(r.durationMs) : '',
    r.verified ? 'verified' : '',
    post ? `failed: ${post}` : '',
    r.forced ? `forced: ${r.forced.reason}` : '',
    r.user ? `by ${r.user}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}
