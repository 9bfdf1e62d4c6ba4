import { z } from 'zod';
import { createExecutor } from '../../exec/executor.js';
import type { Runtime } from '../../router/runtime.js';
import { stopAndRemove } from './containers.js';
import { ContainerKeepWarm } from './keep-warm.js';

const containerName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/, 'expected a container name');

/**
 * The docker platform's part of the environment runtime: `containers.retire` (keep warm, then drain, stop and
 * remove), `containers.cancelRetire` and `containers.warm`. Containers themselves are kept by the engine, so
 * nothing is stopped when the runtime shuts down; pending retirements are simply dropped.
 */
export function dockerExtension(options: { log?: (line: string) => void } = {}): (runtime: Runtime) => void {
  return (runtime) => {
    const executor = createExecutor();
    const keepWarm = new ContainerKeepWarm(
      (id, timeoutMs) => runtime.router.drain(id, timeoutMs),
      (name, stopTimeoutS) => stopAndRemove({ executor }, name, stopTimeoutS),
      options.log,
    );
    runtime.registry.register(
      'containers.retire',
      z.strictObject({ id: z.string().min(1), name: containerName, afterMs: z.number().int().min(0), drainTimeoutMs: z.number().int().min(0) }),
      (params) => keepWarm.retire(params),
    );
    runtime.registry.register('containers.cancelRetire', z.strictObject({ name: containerName }), (params) => ({ cancelled: keepWarm.cancel(params.name) }));
    runtime.registry.register('containers.warm', z.strictObject({}), () => keepWarm.list());
    runtime.onShutdown(() => keepWarm.cancelAll());
  };
}
