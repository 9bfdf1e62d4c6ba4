import { formatDuration } from '../../config/duration.js';
import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import type { HistoryRecord } from '../../contracts/history.js';
import { UserError } from '../../errors.js';
import { StateStore } from '../../state/store.js';
import { DEFAULT_PLATFORM, platformSpec } from '../../platforms/registry.js';
import type { CliOptions } from '../options.js';
import { platformContext } from './platform-status.js';
import { shippedBrief } from '../../shipped/format.js';

const MARK: Record<HistoryRecord['status'], string> = {
  success: '✅',
  rolled_back: '↩️',
  failed: '❌',
  blocked: '⛔',
  interrupted: '⚠️',
  recovered: '🩹',
  info: 'ℹ️',
};

/** A deployment the platform lists (Railway), as `deploy history` merges it with our records. */
interface PlatformEntry {
  id: string;
  status: string;
  createdAt: string;
  ours: string | null;
  by: string | null;
}

/** One line of the merged listing: our record (with the platform's status of its release, when known) or a platform-only deployment. */
type Row =
  | { kind: 'record'; ts: string; record: HistoryRecord & { platform?: { status: string } } }
  | { kind: 'platform'; ts: string; environment: string; platformName: string; entry: PlatformEntry };

/** Lists history.jsonl records, oldest first, of one environment or all of them merged by time; platforms with a deployment list (Railway) are merged in. */
export async function historyCommand(options: CliOptions, environment?: string): Promise<number> {
  const limit = Number(options.limit ?? '20');
  if (!Number.isInteger(limit) || limit < 1) throw new UserError('--limit: expected a positive whole number');
  if (environment) assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  if (environment) assertKnownEnvironment(config, environment);
  const names = environment ? [environment] : Object.keys(config.environments);
  if (options.stats) return historyStats(projectRoot, names, options.json === true);
  const rows: Row[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const records = await new StateStore(projectRoot, name).readHistory();
    const platformName = config.environments[name]?.platform ?? config.platform ?? DEFAULT_PLATFORM;
    // Only remote platforms have their own deployment list; the others read history.jsonl alone.
    const platform = !platformSpec(platformName).capabilities.remote ? null : await platformDeployments(name, options.config).catch((error: unknown) => {
      warnings.push(`${name}: platform deployments unavailable: ${(error as Error)?.message ?? String(error)}`);
      return null;
    });
    const statusById = new Map((platform?.entries ?? []).map((e) => [e.id, e.status]));
    for (const record of records) {
      const status = record.release?.id ? statusById.get(record.release.id) : undefined;
      rows.push({ kind: 'record', ts: record.ts, record: status ? { ...record, platform: { status } } : record });
    }
    for (const entry of platform?.entries ?? []) {
      if (!entry.ours) rows.push({ kind: 'platform', ts: entry.createdAt, environment: name, platformName: platform!.name, entry });
    }
  }
  const shown = rows.sort((a, b) => a.ts.localeCompare(b.ts)).slice(-limit);
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);

  if (options.json) {
    const out = shown.map((row) =>
      row.kind === 'record'
        ? row.record
        : { ts: row.ts, type: 'platform', environment: row.environment, status: row.entry.status, platform: row.platformName, release: { id: row.entry.id }, ...(row.entry.by ? { user: row.entry.by } : {}) },
    );
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  if (shown.length === 0) {
    process.stdout.write(`no history yet${environment ? ` for ${environment}` : ''}\n`);
    return 0;
  }
  for (const row of shown) process.stdout.write((row.kind === 'record' ? formatRecord(row.record) : formatPlatform(row)) + '\n');
  return 0;
}

/** `deploy history --stats`: the DORA figures of each environment from its history.jsonl, commit times from git. */
async function historyStats(projectRoot: string, names: string[], json: boolean): Promise<number> {
  const [{ doraStats }, { commitTimes }, { formatStats }, { createExecutor }] = await Promise.all([
    import('../../history/dora.js'),
    import('../../history/commit-times.js'),
    import('../../history/format-stats.js'),
    import('../../exec/executor.js'),
  ]);
  const executor = createExecutor();
  const stats = [];
  for (const name of names) {
    const records = await new StateStore(projectRoot, name).readHistory();
    const commits = records.flatMap((r) => (r.release?.commit ? [r.release.commit] : []));
    stats.push({ environment: name, ...doraStats(records, await commitTimes(executor, commits, projectRoot)) });
  }
  if (json) process.stdout.write(JSON.stringify(stats) + '\n');
  else for (const s of stats) process.stdout.write(formatStats(s.environment, s).join('\n') + '\n');
  return 0;
}

/** The platform's own deployment list, when its driver has one (Railway); null for local and docker. */
async function platformDeployments(environment: string, configPath?: string): Promise<{ name: string; entries: PlatformEntry[] } | null> {
  const found = await platformContext(process.cwd(), environment, configPath);
  if (!found?.driver.history) return null;
  return { name: found.driver.name, entries: await found.driver.history(found.ctx) };
}

export function formatRecord(r: HistoryRecord & { platform?: { status: string } }): string {
  const release = r.release ? [r.release.id, r.release.version, r.release.commit?.slice(0, 7)].filter(Boolean).join(' ') : '';
  const post = r.checks?.post.filter((p) => !p.ok).map((p) => `${p.name} ${p.value}`).join(', ');
  const parts = [
    r.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.environment.padEnd(10),
    r.type.padEnd(8),
    (r.needsHuman ? '🆘 needs a human' : `${MARK[r.status] ?? ''} ${r.status}`).padEnd(14),
    release,
    r.durationMs !== undefined ? formatDuration(r.durationMs) : '',
    r.verified ? 'verified' : '',
    shippedBrief(r.shipped),
    post ? `failed: ${post}` : '',
    r.needsHuman ? `what: ${r.needsHuman}` : '',
    r.forced ? `forced: ${r.forced.reason}` : '',
    r.user ? `by ${r.user}` : '',
    r.platform ? `now ${r.platform.status}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

function formatPlatform(row: Extract<Row, { kind: 'platform' }>): string {
  const e = row.entry;
  return [row.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), row.environment.padEnd(10), row.platformName.padEnd(8), e.status.padEnd(14), e.id, `not from shipgate${e.by ? ` (by ${e.by})` : ''}`].join('  ');
}
