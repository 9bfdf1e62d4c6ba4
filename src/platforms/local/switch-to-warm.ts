import type { Router } from '../../router/router.js';
import type { Upstream } from '../../router/types.js';
import type { StateStore } from '../../state/store.js';
import type { KeepWarm } from './keep-warm.js';
import type { AppSupervisor } from './supervisor.js';

export interface RuntimeParts {
  router: Router;
  supervisor: AppSupervisor | null;
  keepWarm: KeepWarm | null;
  store: StateStore;
  log: (line: string) => void;
}

/**
 * Inside the runtime, with no CLI around: traffic from the failing active release to the warm previous one, which
 * becomes the supervised active release, and state.json says so (active and previous swap). Throws when the router
 * refuses the switch (traffic is then unchanged). Returns how long the switch took, in ms.
 */
export async function switchToWarm(parts: RuntimeParts, failing: string, previous: Upstream, drainTimeoutMs: number): Promise<number> {
  const started = performance.now();
  await parts.router.setActive(previous, { drainTimeoutMs });
  const switchMs = Math.round((performance.now() - started) * 10) / 10;
  parts.keepWarm?.cancel(previous.id);
  try {
    parts.supervisor?.setRestartOnCrash(previous.id, true);
    parts.supervisor?.setRestartOnCrash(failing, false);
  } catch {
    // an app the supervisor no longer knows: nothing to change
  }
  await parts.store
    .update((state) => {
      const failed = state.active?.release === failing ? { ...state.active, running: false } : state.previous;
      const since = new Date().toISOString();
      const back = state.previous?.release === previous.id ? { ...state.previous, running: true, since } : { release: previous.id, upstream: previous.url.replace(/^http:\/\//, ''), since, running: true };
      return { ...state, active: back, previous: failed };
    })
    .catch((error) => parts.log(`state not updated: ${String(error)}`));
  return switchMs;
}
