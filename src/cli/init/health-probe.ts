import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../platforms/local/free-port.js';
import { appCommand, signalGroup, spawnApp } from '../../platforms/local/spawn-app.js';
import { groupAlive } from '../../exec/process-liveness.js';
import { checkOnce } from '../../router/health-check.js';
import { HEALTH_CANDIDATES, probeHealthPaths, type PathAnswer } from '../../verify/health-paths.js';

export interface TrialStart {
  /** The first candidate that answered 2xx, or null. */
  path: string | null;
  answers: PathAnswer[];
  /** Why there is no path, e.g. "exited with code 1" or "did not answer on PORT within 15 s". */
  problem: string | null;
}

export interface TrialOptions {
  /** Longest wait for the app to answer on PORT at all. */
  deadlineMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * `deploy init`'s trial start: runs the proposed start line with PORT set (like a release would), waits until
 * anything answers HTTP, asks /health, /healthz, /up, /-/ping and / in that order, and stops the whole process group.
 */
export async function trialStart(cwd: string, start: string, options: TrialOptions = {}): Promise<TrialStart> {
  const deadlineMs = options.deadlineMs ?? 15_000;
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const logDir = await mkdtemp(join(tmpdir(), 'shipgate-init-'));
  const env = { ...(options.env ?? process.env), PORT: String(port) } as Record<string, string>;
  const child = spawnApp(appCommand(start, cwd, env), join(logDir, 'trial.log'), `deploy init: trial start of ${start}`);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = signal ? `exited on ${signal}` : `exited with code ${code}`));
  try {
    const started = performance.now();
    while (performance.now() - started < deadlineMs) {
      if (exited) return { path: null, answers: [], problem: `${exited}${await lastLine(join(logDir, 'trial.log'))}` };
      const answer = await checkOnce(url, '/', 1_000);
      if (/answered \d{3}/.test(answer.detail)) {
        const answers = await probeHealthPaths(url, 2_000, HEALTH_CANDIDATES);
        return { path: answers.find((a) => a.ok)?.path ?? null, answers, problem: null };
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { path: null, answers: [], problem: `did not answer on PORT within ${Math.round(deadlineMs / 1000)} s (does it read PORT?)` };
  } finally {
    await stopGroup(child);
    await rm(logDir, { recursive: true, force: true });
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const gone = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 3_000);
  await gone;
  clearTimeout(timer);
  // The shell may be gone while the app it started still runs in the group.
  for (let i = 0; i < 30 && groupAlive(pid); i++) {
    if (i === 15) signalGroup(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function lastLine(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const line = text.split('\n').filter((l) => l.trim() && !l.startsWith('--- ')).pop();
  return line ? `: ${line.trim().slice(0, 160)}` : '';
}
