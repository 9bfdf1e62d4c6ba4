import { connectRouter } from '../../router/client.js';
import type { AppInfo, AppState } from './supervisor.js';

/** One release as the environment runtime's supervisor reports it. */
export interface RuntimeApp {
  release: string;
  /** `running` or `backoff` (restarting after a crash) count as up; anything else, or absent, as down. */
  state: AppState | 'absent';
  up: boolean;
  pid: number | null;
  startedAt: string | null;
  /** Since the supervisor first started the release (crash restarts do not reset it; `restarts` counts them); null when down. */
  uptimeMs: number | null;
  restarts: number;
  /** Set while a previous release is kept warm: when the runtime will stop it. */
  warmUntil: string | null;
}

/** The runtime process that serves the public port (`runtime.info`). */
export interface RuntimeProcess {
  pid: number;
  /** The keeper holding the public socket and restarting the runtime after a crash; null when it runs without one. */
  keeperPid: number | null;
  host: string;
  port: number;
  startedAt: string;
  /** Times the keeper restarted the runtime after a crash. */
  restarts: number;
}

/** What `deploy status` shows from the runtime (docs/local-platform.md): the active and previous releases as they run now. */
export interface RuntimeView {
  process: RuntimeProcess | null;
  active: RuntimeApp | null;
  previous: RuntimeApp | null;
}

type ListedApp = AppInfo & { warmUntil?: string | null };

/**
 * Asks the environment runtime (router + supervisor) which of the two releases in state.json really run.
 * Null when no runtime answers within `timeoutMs`: the environment is stopped, or its runtime died.
 */
export async function readRuntimeStatus(
  stateDir: string,
  slots: { active: string | null; previous: string | null },
  options: { timeoutMs?: number; now?: () => number } = {},
): Promise<RuntimeView | null> {
  const client = await connectRouter(stateDir, { callTimeoutMs: options.timeoutMs ?? 2_000 }).catch(() => null);
  if (!client) return null;
  try {
    const [apps, info] = await Promise.all([client.call<ListedApp[]>('apps.list'), client.call<RuntimeProcess>('runtime.info').catch(() => null)]);
    const now = options.now?.() ?? Date.now();
    const process = info ? { pid: info.pid, keeperPid: info.keeperPid, host: info.host, port: info.port, startedAt: info.startedAt, restarts: info.restarts } : null;
    return { process, active: describeApp(apps, slots.active, now), previous: describeApp(apps, slots.previous, now) };
  } catch {
    // A runtime without the supervisor (another platform's) or one that stopped answering.
    return null;
  } finally {
    client.close();
  }
}

export function describeApp(apps: ListedApp[], release: string | null, now: number): RuntimeApp | null {
  if (!release) return null;
  const app = apps.find((a) => a.id === release);
  if (!app) return { release, state: 'absent', up: false, pid: null, startedAt: null, uptimeMs: null, restarts: 0, warmUntil: null };
  const up = app.state === 'running' || app.state === 'backoff';
  const started = Date.parse(app.startedAt);
  return {
    release,
    state: app.state,
    up,
    pid: app.pid,
    startedAt: app.startedAt,
    uptimeMs: up && Number.isFinite(started) ? Math.max(0, now - started) : null,
    restarts: app.restarts,
    warmUntil: app.warmUntil ?? null,
  };
}
