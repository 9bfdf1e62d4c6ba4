import { basename, dirname } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { z } from 'zod';
import type { HistoryRecord } from '../../contracts/history.js';
import type { Runtime } from '../../router/runtime.js';
import { StateStore } from '../../state/store.js';
import type { DeployNotices } from '../../notify/deploy-notices.js';
import { guardStartParams, noticesFor } from './guard-extension.js';
import type { KeepWarm } from './keep-warm.js';
import type { AppSupervisor, SupervisorEvent } from './supervisor.js';
import { switchToWarm } from './switch-to-warm.js';

/** `alerts.configure`: where the runtime's own alerts go (config `notify:`), sent after every deploy and resume. */
export const alertsConfigureParams = z.strictObject({
  environment: z.string().min(1),
  drainTimeoutMs: z.number().int().min(0).max(3_600_000),
  notify: guardStartParams.shape.notify,
});
export type AlertsSettings = z.output<typeof alertsConfigureParams>;

export interface CrashLoopOptions {
  log?: (line: string) => void;
  /** Restarts in a row (without a stable run between) that make a crash loop. Default 3. */
  restartsBeforeRollback?: number;
}

/**
 * Watches the active release for a crash loop: after `restartsBeforeRollback` quick crashes in a row, traffic goes
 * to the warm previous release when there is one (the crashing release is stopped), else an alert says there is
 * none. Either way history records it and the notifiers are told (`runtime.rolled_back`, `runtime.alert`).
 */
export function crashLoopExtension(options: CrashLoopOptions = {}): {
  attach(supervisor: AppSupervisor, keepWarm: KeepWarm): void;
  extend(runtime: Runtime): void;
} {
  const after = options.restartsBeforeRollback ?? 3;
  const log = (line: string) => options.log?.(`crash loop: ${line}`);
  let supervisor: AppSupervisor | null = null;
  let keepWarm: KeepWarm | null = null;
  return {
    attach(s, k) {
      supervisor = s;
      keepWarm = k;
    },
    extend(runtime) {
      const store = new StateStore(dirname(dirname(runtime.stateDir)), basename(runtime.stateDir));
      let settings = runtime.keeper?.restored<AlertsSettings>('alerts') ?? null;
      let notices: DeployNotices | null = settings ? noticesFor(settings, store) : null;
      runtime.registry.register('alerts.configure', alertsConfigureParams, (params) => {
        settings = params;
        runtime.keeper?.stash('alerts', params);
        void notices?.close(3_000);
        notices = noticesFor(params, store);
        return { configured: true, notify: notices !== null };
      });
      runtime.onShutdown(() => notices?.close(3_000).then(() => undefined));

      const handling = new Set<string>();
      const onLoop = async (id: string, attempt: number) => {
        const environment = settings?.environment ?? basename(runtime.stateDir);
        const state = await store.read().catch(() => null);
        const previousId = state?.previous?.release ?? null;
        const previousApp = previousId && previousId !== id ? supervisor?.get(previousId) : null;
        const reason = `release ${id} crashed ${attempt} times in a row`;
        if (!previousApp || previousApp.state !== 'running') {
          const detail = `${reason}; ${previousId ? `${previousId} is not warm` : 'there is no previous release'}, so it was not rolled back; the supervisor keeps restarting ${id}`;
          log(detail);
          await record(store, { type: 'restart', environment, status: 'failed', reason: 'crash loop', detail, release: releaseOf(state, id) });
          notices?.send('runtime.alert', { release: { id, version: id, commit: null }, reason: detail });
          return;
        }
        const previous = { id: previousApp.id, url: previousApp.url };
        const switchMs = await switchToWarm({ router: runtime.router, supervisor, keepWarm, store, log }, id, previous, settings?.drainTimeoutMs ?? 5_000);
        const detail = `${reason}: traffic moved to the warm previous release ${previous.id} in ${switchMs} ms; ${id} stopped`;
        log(detail);
        if (supervisor?.get(id)) await supervisor.stop(id, 5_000).catch(() => undefined);
        await record(store, { type: 'rollback', environment, status: 'rolled_back', reason: 'crash loop', detail, previous: id, release: releaseOf(state, previous.id) });
        notices?.send('runtime.rolled_back', { release: { id, version: id, commit: null }, previous: { id: previous.id, version: previous.id, commit: null }, reason: detail });
      };
      supervisor?.on('event', (event: SupervisorEvent) => {
        if (event.type !== 'restarting' || event.attempt !== after || handling.has(event.id)) return;
        if (runtime.router.table().active?.id !== event.id) return;
        handling.add(event.id);
        void onLoop(event.id, event.attempt)
          .catch((error) => log(`handling failed: ${String(error)}`))
          .finally(() => handling.delete(event.id));
      });
    },
  };
}

function releaseOf(state: { releases: HistoryRecord['release'][] } | null, id: string): HistoryRecord['release'] {
  const found = state?.releases.find((r) => r?.id === id);
  return found ? { id: found.id, version: found.version, commit: found.commit, contentHash: found.contentHash } : { id, version: '', commit: null, contentHash: null };
}

async function record(store: StateStore, fields: Pick<HistoryRecord, 'type' | 'environment' | 'status' | 'reason' | 'detail' | 'release'> & { previous?: string }): Promise<void> {
  await store.appendHistory({ ts: new Date().toISOString(), verified: false, user: safeUser(), host: hostname(), ...fields }).catch(() => undefined);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
