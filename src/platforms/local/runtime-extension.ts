import { basename, dirname } from 'node:path';
import { hostname, userInfo } from 'node:os';
import type { Runtime } from '../../router/runtime.js';
import { StateStore } from '../../state/store.js';
import type { HistoryRecord } from '../../contracts/history.js';
import { AppSupervisor, type StashedApp, type SupervisorEvent, type SupervisorOptions } from './supervisor.js';
import { registerSupervisorControl } from './supervisor-control.js';
import { KeepWarm } from './keep-warm.js';
import { readAdoptable, writeAdoptable } from './app-registry.js';

export interface SupervisorExtensionOptions extends SupervisorOptions {
  /** Grace for apps when the runtime shuts down. */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
  /** Gets the supervisor and keep-warm timers once they exist (e.g. the post-deploy guard's `attach`). */
  onSupervisor?: (supervisor: AppSupervisor, keepWarm: KeepWarm) => void;
}

/**
 * Hosts the app supervisor inside the environment runtime (the router daemon):
 * `startRuntime({ ..., extensions: [supervisorExtension()] })`. Adds the `apps.*` control methods, writes
 * crashes and restarts of the active app to the environment's history, and stops the apps on shutdown.
 */
export function supervisorExtension(options: SupervisorExtensionOptions = {}): (runtime: Runtime) => void {
  return (runtime) => {
    const supervisor = new AppSupervisor(options);
    const keeper = runtime.keeper;
    const keepWarm = new KeepWarm(supervisor, (id, timeoutMs) => runtime.router.drain(id, timeoutMs), options.log, () => keeper?.stash('warm', keepWarm.entries()));
    registerSupervisorControl(runtime.registry, supervisor, keepWarm);
    options.onSupervisor?.(supervisor, keepWarm);
    const history = historyOf(runtime.stateDir);
    // Apps a runtime that died left running keep serving (the routing table is restored too): adopt them. Their
    // specs (environment included) come back from the keeper's memory, so they stay supervised.
    const specs = new Map((keeper?.restored<StashedApp[]>('apps') ?? []).map((spec) => [spec.id, spec]));
    for (const app of readAdoptable(runtime.stateDir)) {
      const spec = specs.get(app.id);
      if (supervisor.adopt(app, { spec })) options.log?.(`adopted app ${app.id} (pid ${app.pid}, port ${app.port}) left by a previous runtime${spec ? ', supervised' : ', not restartable (no spec)'}`);
      else if (!supervisor.get(app.id)) options.log?.(`app ${app.id} (pid ${app.pid}) left by a previous runtime no longer runs (gone, a zombie, or its pid reused): not adopted`);
    }
    for (const warm of keeper?.restored<{ id: string; until: number; drainTimeoutMs: number }[]>('warm') ?? []) {
      if (supervisor.get(warm.id)) keepWarm.retire({ id: warm.id, afterMs: Math.max(0, warm.until - Date.now()), drainTimeoutMs: warm.drainTimeoutMs });
    }
    let saving = Promise.resolve();
    const save = () => {
      keeper?.stash('apps', supervisor.specs());
      saving = saving.then(() => writeAdoptable(runtime.stateDir, supervisor.adoptable())).catch((error) => options.log?.(`apps.json not written: ${String(error)}`));
    };
    save();
    supervisor.on('event', (event) => {
      save();
      options.log?.(describeEvent(event));
      const record = historyRecord(event, history.environment);
      if (record) void history.appendHistory(record).catch((error) => options.log?.(`history append failed: ${String(error)}`));
    });
    runtime.onShutdown(async () => {
      keepWarm.cancelAll();
      await supervisor.stopAll(options.stopTimeoutMs ?? 10_000);
      save();
      await saving;
    });
  };
}

/** stateDir is <projectRoot>/.deploy/<environment>. */
function historyOf(stateDir: string): StateStore {
  return new StateStore(dirname(dirname(stateDir)), basename(stateDir));
}

/** Only what a human wants in `deploy history`: the active app crashed and was restarted, or restarting gave up. */
export function historyRecord(event: SupervisorEvent, environment: string, at = new Date()): HistoryRecord | null {
  if (event.type !== 'restarting' && event.type !== 'gave-up') return null;
  return {
    ts: at.toISOString(),
    type: 'restart',
    environment,
    status: event.type === 'gave-up' ? 'failed' : 'info',
    verified: false,
    user: safeUser(),
    host: hostname(),
    previous: null,
    reason: event.type === 'gave-up' ? `release ${event.id} kept crashing; gave up after ${event.attempts} restarts` : `release ${event.id} crashed`,
    detail: event.type === 'restarting' ? `restart ${event.attempt} in ${event.delayMs} ms` : undefined,
  };
}

export function describeEvent(event: SupervisorEvent): string {
  switch (event.type) {
    case 'started':
      return `app ${event.id} started (pid ${event.pid}, port ${event.port}${event.restart ? `, restart ${event.restart}` : ''})`;
    case 'exited':
      return `app ${event.id} exited (${event.signal ?? `code ${event.code}`}) after ${event.uptimeMs} ms${event.expected ? '' : ', unexpectedly'}`;
    case 'restarting':
      return `app ${event.id} restarting in ${event.delayMs} ms (attempt ${event.attempt})`;
    case 'gave-up':
      return `app ${event.id} gave up after ${event.attempts} restarts`;
    case 'updated':
      return `app ${event.id} ${event.restartOnCrash ? 'is restarted when it crashes' : 'is no longer restarted when it crashes'}`;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
