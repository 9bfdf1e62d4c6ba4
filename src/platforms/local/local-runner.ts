import { join } from 'node:path';
import type { RouterClient } from '../../router/client.js';
import { ExitCode, UserError } from '../../errors.js';
import type { ReleaseMeta, ReleaseRunner, RunningRelease } from '../../rollout/target.js';
import { readLogTail } from './log-tail.js';
import { releaseDirOf, releaseLogDir } from './releases.js';
import type { AppInfo } from './supervisor.js';

export interface LocalRunnerOptions {
  stateDir: string;
  /** The user's `start:` line. */
  start: string;
  /** The app's environment for a release (secrets included); sent over the control socket only. */
  env: (release: ReleaseMeta) => Record<string, string>;
}

type ListedApp = AppInfo & { warmUntil: string | null };

/** Runs releases as app processes in the environment runtime, through its `apps.*` control methods. */
export class LocalRunner implements ReleaseRunner {
  readonly hostsGuard = true;

  constructor(
    private readonly client: RouterClient,
    private readonly options: LocalRunnerOptions,
  ) {}

  async start(release: ReleaseMeta): Promise<RunningRelease> {
    const dir = releaseDirOf(this.options.stateDir, release.id);
    const app = await this.client.call<AppInfo>('apps.start', {
      id: release.id,
      cwd: dir,
      command: this.options.start,
      env: this.options.env(release),
      logFile: logFileOf(dir),
      restartOnCrash: false,
    });
    return { id: app.id, url: app.url };
  }

  async running(id: string): Promise<RunningRelease | null> {
    const app = await this.find(id);
    return app && (app.state === 'running' || app.state === 'backoff') ? { id: app.id, url: app.url } : null;
  }

  async exitStatus(id: string): Promise<string | null> {
    return exitStatusOf(await this.find(id));
  }

  async setActive(id: string, active: boolean): Promise<void> {
    if (await this.find(id)) await this.client.call('apps.update', { id, restartOnCrash: active });
  }

  async keepWarm(id: string, ms: number, drainTimeoutMs: number): Promise<void> {
    await this.client.call('apps.retire', { id, afterMs: ms, drainTimeoutMs });
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    if (await this.find(id)) await this.client.call('apps.stop', { id, timeoutMs, forget: true });
  }

  async logTail(id: string, lines: number): Promise<string[]> {
    return readLogTail(logFileOf(releaseDirOf(this.options.stateDir, id)), lines);
  }

  async runningIds(): Promise<string[]> {
    return (await this.list()).filter((app) => app.state === 'running' || app.state === 'backoff').map((app) => app.id);
  }

  async list(): Promise<ListedApp[]> {
    return this.client.call<ListedApp[]>('apps.list');
  }

  private async find(id: string): Promise<ListedApp | null> {
    return (await this.list()).find((app) => app.id === id) ?? null;
  }
}

/** Null while the app runs (or restarts); otherwise how it ended, e.g. "exited with code 1". */
export function exitStatusOf(app: Pick<AppInfo, 'state' | 'lastExit'> | null | undefined): string | null {
  if (!app) return 'is not running';
  if (app.state === 'running' || app.state === 'backoff') return null;
  const exit = app.lastExit;
  if (!exit) return `is ${app.state}`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

export function logFileOf(releaseDir: string): string {
  return join(releaseLogDir(releaseDir), 'app.log');
}

/** A runtime started by another platform or an older version has no `apps.*`: say so instead of failing later. */
export async function requireSupervisor(client: RouterClient, environment: string): Promise<void> {
  const methods = await client.call<string[]>('router.methods');
  if (!methods.includes('apps.start')) {
    throw new UserError(`the router of ${environment} runs without the local app supervisor; run \`deploy stop ${environment}\` and deploy again`, ExitCode.usage);
  }
}
