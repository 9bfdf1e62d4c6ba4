import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploySummary } from '../../src/contracts/summary.js';
import type { HistoryRecord } from '../../src/contracts/history.js';
import { readJournal, type Journal, type JournalPhase } from '../../src/journal/journal.js';
import { connectRouter } from '../../src/router/client.js';
import type { LoadRecord, LoadResult } from '../helpers/load.js';
import { CLI } from '../setup/build.js';

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  summary: DeploySummary | null;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the first stderr line matching `re` (progress lines are plain on a pipe). */
  waitLine(re: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<CliResult>;
}

/** The real CLI, as a user runs it; `detached` puts it in its own process group (to kill CLI + orchestrator). */
export function startCli(cwd: string, args: string[], options: { detached?: boolean } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    for (const w of [...waiters]) {
      const line = stderr.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      let summary: DeploySummary | null = null;
      try {
        summary = JSON.parse(stdout) as DeploySummary;
      } catch {
        summary = null;
      }
      resolve({ exitCode: code, signal, stdout, stderr, summary });
    });
  });
  return {
    child,
    done,
    waitLine(re, timeoutMs = 120_000) {
      const found = stderr.split('\n').find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stderr line matching ${re} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void done.then(() => reject(new Error(`CLI ended before a line matching ${re}:\n${stderr}`)));
      });
    },
  };
}

/** Watches the journal until the run has reached `phase` (in its list of phases); returns the journal then. */
export async function waitJournalPhase(stateDir: string, phase: JournalPhase, timeoutMs = 120_000): Promise<Journal> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const journal = await readJournal(stateDir);
    if (journal?.phases.some((p) => p.phase === phase)) return journal;
    if (Date.now() > deadline) throw new Error(`journal never reached ${phase} (now ${journal?.phase ?? 'none'})`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export interface AppRow {
  id: string;
  pid: number | null;
  state: string;
  restarts: number;
}

export async function apps(stateDir: string): Promise<AppRow[]> {
  const client = await connectRouter(stateDir);
  try {
    return await client.call<AppRow[]>('apps.list');
  } finally {
    client.close();
  }
}

export async function routerPid(stateDir: string): Promise<number> {
  const client = await connectRouter(stateDir);
  try {
    return (await client.status()).pid;
  } finally {
    client.close();
  }
}

export function historyOf(dir: string): HistoryRecord[] {
  try {
    return readFileSync(join(dir, '.deploy', 'staging', 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HistoryRecord);
  } catch {
    return [];
  }
}

/** Failed requests that the faulty green did not answer (its 5xx inside its time on the router are expected). */
export function unexpectedFailures(load: LoadResult, green: string | null): LoadRecord[] {
  return load.failures.filter((f) => !(green && f.release === green && (f.status ?? 0) >= 500));
}

export interface ScenarioRow {
  scenario: string;
  outcome: 'survived' | 'FAILED';
  exitCode: number | null;
  failedRequests: number;
  unexpectedFailures: number;
  recoveryMs: number | null;
  note: string;
}

/** One JSON line per scenario, so scripts/fault-suite.sh can print the table even across workers. */
export const REPORT_FILE = process.env.FAULT_REPORT ?? '/tmp/shipgate-fault-report.jsonl';

export function report(row: ScenarioRow): void {
  appendFileSync(REPORT_FILE, JSON.stringify(row) + '\n');
}

export function renderTable(rows: ScenarioRow[]): string {
  const head = ['scenario', 'outcome', 'exit', 'failed req', 'unexpected', 'recovery ms', 'note'];
  const body = rows.map((r) => [r.scenario, r.outcome, String(r.exitCode), String(r.failedRequests), String(r.unexpectedFailures), r.recoveryMs === null ? '-' : String(r.recoveryMs), r.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const survived = rows.filter((r) => r.outcome === 'survived').length;
  const unexpected = rows.reduce((n, r) => n + r.unexpectedFailures, 0);
  const longest = Math.max(0, ...rows.map((r) => r.recoveryMs ?? 0));
  return [line(head), ...body.map(line), '', `survived ${survived}/${rows.length}; unexpected failed requests ${unexpected}; longest recovery ${longest} ms`].join('\n');
}
