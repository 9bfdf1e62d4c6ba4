import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../state/atomic-write.js';
import type { StepSignal } from './step-gate.js';

/**
 * `deploy promote|abort <env>` talk to the running canary through this file in the environment's state dir;
 * the canary loop polls it every tick and removes it when it starts and when it ends.
 */
export const CONTROL_FILE = 'canary-control.json';
/** Written while a canary runs, so promote/abort can tell whether there is anything to act on. */
export const RUNNING_FILE = 'canary-running.json';

export interface CanaryRunning {
  pid: number;
  release: string;
  stable: string;
  percent: number;
  startedAt: string;
}

export async function sendControl(stateDir: string, action: 'promote' | 'abort'): Promise<void> {
  await writeJsonAtomic(join(stateDir, CONTROL_FILE), { action, at: new Date().toISOString() });
}

export async function readControl(stateDir: string): Promise<StepSignal> {
  const text = await readFile(join(stateDir, CONTROL_FILE), 'utf8').catch(() => null);
  if (!text) return null;
  try {
    const action = (JSON.parse(text) as { action?: unknown }).action;
    return action === 'promote' || action === 'abort' ? action : null;
  } catch {
    return null;
  }
}

export async function clearControl(stateDir: string): Promise<void> {
  await rm(join(stateDir, CONTROL_FILE), { force: true });
}

export async function markRunning(stateDir: string, running: CanaryRunning | null): Promise<void> {
  if (running) await writeJsonAtomic(join(stateDir, RUNNING_FILE), running);
  else await rm(join(stateDir, RUNNING_FILE), { force: true });
}

/** The running canary, if its process is alive. */
export async function readRunning(stateDir: string): Promise<CanaryRunning | null> {
  const text = await readFile(join(stateDir, RUNNING_FILE), 'utf8').catch(() => null);
  if (!text) return null;
  const running = JSON.parse(text) as CanaryRunning;
  try {
    process.kill(running.pid, 0);
    return running;
  } catch {
    return null;
  }
}
