import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryRecord } from '../contracts/history.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode, UserError } from '../errors.js';

export interface ProductionGateInput {
  projectRoot: string;
  /** The environment whose history must show this release verified (`requires: staging`); null = no gate. */
  requires: string | null;
  maxAgeMs: number;
  /** What is being deployed now. */
  release: { contentHash: string | null; commit: string | null };
  now?: Date;
  /** `--force-unverified --reason <text>`. */
  force?: { reason: string | undefined } | null;
}

export interface ProductionGateResult {
  result: PreCheckResult;
  /** Set when the gate was overridden; the orchestrator writes it into the history record for audit. */
  forced?: { reason: string };
  /** The staging record that let this deploy through. */
  evidence?: HistoryRecord;
}

const NAME = 'Staging Verified';

/** Production goes out only when the same content or commit was deployed and verified on `requires` within maxAge. */
export async function checkProductionGate(input: ProductionGateInput): Promise<ProductionGateResult> {
  if (!input.requires) return { result: { name: NAME, ok: true, detail: 'not required' } };
  if (input.force && !input.force.reason?.trim()) {
    throw new UserError('--force-unverified needs --reason "<why>"; the reason is recorded in history', ExitCode.usage);
  }
  const now = input.now ?? new Date();
  const records = await readHistory(join(input.projectRoot, '.deploy', input.requires, 'history.jsonl'));
  const same = records.filter((r) => r.type === 'deploy' && r.release && matches(r.release, input.release));
  const fresh = same.filter((r) => now.getTime() - Date.parse(r.ts) <= input.maxAgeMs);
  // A release the post-deploy guard later caught failing on staging no longer counts as verified there.
  const caughtByGuard = new Set(records.filter((r) => r.type === 'guard' && r.status === 'failed' && r.release).map((r) => r.release!.id));
  const verified = fresh
    .filter((r) => r.verified && r.status === 'success' && !caughtByGuard.has(r.release!.id))
    .sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  const what = describeRelease(input.release);

  if (verified[0]) {
    const evidence = verified[0];
    const age = formatAge(now.getTime() - Date.parse(evidence.ts));
    return { result: { name: NAME, ok: true, detail: `${what} verified on ${input.requires} ${age} ago (release ${evidence.release!.id})` }, evidence };
  }

  const why =
    same.length === 0
      ? `${what} was never deployed to ${input.requires}`
      : fresh.length === 0
        ? `${what} was last deployed to ${input.requires} ${formatAge(now.getTime() - Date.parse(latest(same).ts))} ago (max ${formatAge(input.maxAgeMs)})`
        : caughtByGuard.has(latest(fresh).release!.id)
          ? `${what} was rolled back on ${input.requires} by the post-deploy guard`
          : `${what} was deployed to ${input.requires} but not verified (${latest(fresh).status})`;

  if (input.force) {
    const reason = input.force.reason!.trim();
    return { result: { name: NAME, ok: true, warning: true, detail: `overridden with --force-unverified: ${why}` }, forced: { reason } };
  }
  return {
    result: {
      name: NAME,
      ok: false,
      detail: `${why}; deploy and verify it on ${input.requires} first, or pass --force-unverified --reason "<why>"`,
      exitCode: ExitCode.precheckFailed,
    },
  };
}

function matches(recorded: NonNullable<HistoryRecord['release']>, wanted: ProductionGateInput['release']): boolean {
  if (wanted.contentHash && recorded.contentHash === wanted.contentHash) return true;
  return Boolean(wanted.commit && recorded.commit === wanted.commit);
}

function latest(records: HistoryRecord[]): HistoryRecord {
  return records.reduce((a, b) => (Date.parse(b.ts) > Date.parse(a.ts) ? b : a));
}

function describeRelease(release: ProductionGateInput['release']): string {
  if (release.commit) return `commit ${release.commit.slice(0, 7)}`;
  if (release.contentHash) return `content ${release.contentHash.slice(0, 12)}`;
  return 'this release';
}

/** Lines that fail to parse are skipped: a torn last line must not block or unblock a deploy on its own. */
async function readHistory(path: string): Promise<HistoryRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: HistoryRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const record = JSON.parse(line) as HistoryRecord;
      if (typeof record.ts === 'string' && !Number.isNaN(Date.parse(record.ts))) records.push(record);
    } catch {
      // skip
    }
  }
  return records;
}

function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
