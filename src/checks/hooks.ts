import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Executor } from '../exec/executor.js';
import type { PreCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import { processEnv } from './process-env.js';

export type HookName = 'pre-deploy' | 'post-deploy' | 'post-rollback';

/** What a hook learns about the deploy, as DEPLOY_* variables. No secret goes here. */
export interface HookContext {
  environment: string;
  release: string;
  version: string;
  commit: string | null;
  url: string;
  /** pending (pre-deploy), success, rolled_back, failed, … */
  status: string;
}

export interface RunHookInput {
  projectRoot: string;
  hook: HookName;
  context: HookContext;
  executor: Executor;
  timeoutMs?: number;
  /** Environment for the hook on top of ours (e.g. the resolved env vars). */
  env?: Record<string, string>;
}

export interface HookOutcome {
  ran: boolean;
  ok: boolean;
  exitCode: number;
  /** One line for the summary. */
  detail: string;
}

export function hookPath(projectRoot: string, hook: HookName): string {
  return join(projectRoot, '.deploy', 'hooks', hook);
}

export async function hookExists(projectRoot: string, hook: HookName): Promise<boolean> {
  try {
    return (await stat(hookPath(projectRoot, hook))).isFile();
  } catch {
    return false;
  }
}

export function hookEnv(context: HookContext): Record<string, string> {
  return {
    DEPLOY_ENVIRONMENT: context.environment,
    DEPLOY_RELEASE: context.release,
    DEPLOY_VERSION: context.version,
    DEPLOY_COMMIT: context.commit ?? '',
    DEPLOY_URL: context.url,
    DEPLOY_STATUS: context.status,
  };
}

/** Runs `.deploy/hooks/<hook>` directly (no shell) when it exists. A missing hook is not an error. */
export async function runHook(input: RunHookInput): Promise<HookOutcome> {
  const path = hookPath(input.projectRoot, input.hook);
  if (!(await hookExists(input.projectRoot, input.hook))) return { ran: false, ok: true, exitCode: 0, detail: 'none' };
  try {
    await access(path, constants.X_OK);
  } catch {
    return { ran: false, ok: false, exitCode: 126, detail: `.deploy/hooks/${input.hook} is not executable (chmod +x it)` };
  }
  const result = await input.executor.run({
    file: path,
    args: [],
    cwd: input.projectRoot,
    env: { ...processEnv(), ...input.env, ...hookEnv(input.context) },
    timeoutMs: input.timeoutMs ?? 5 * 60_000,
    // Hooks run on real deploys only; under --dry-run the executor skips them.
    mutates: true,
  });
  if (result.skipped) return { ran: false, ok: true, exitCode: 0, detail: 'would run (dry run)' };
  if (result.exitCode === 0) return { ran: true, ok: true, exitCode: 0, detail: 'passed' };
  const last = result.all.trim().split('\n').filter(Boolean).pop() ?? '';
  const reason = result.timedOut ? 'timed out' : `exit ${result.exitCode}`;
  return { ran: true, ok: false, exitCode: result.exitCode, detail: `failed (${reason})${last ? `: ${last.slice(0, 160)}` : ''}` };
}

/** The pre-deploy hook as a pre-check: a failing hook blocks the deploy with exit 3. */
export async function checkPreDeployHook(input: Omit<RunHookInput, 'hook'>): Promise<PreCheckResult> {
  const outcome = await runHook({ ...input, hook: 'pre-deploy' });
  if (outcome.ok) return { name: 'Pre-deploy Hook', ok: true, detail: outcome.detail };
  return { name: 'Pre-deploy Hook', ok: false, detail: outcome.detail, exitCode: ExitCode.precheckFailed };
}
