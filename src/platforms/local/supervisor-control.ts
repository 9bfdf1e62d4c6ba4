import { z } from 'zod';
import type { AppSupervisor } from './supervisor.js';
import type { KeepWarm } from './keep-warm.js';
import { readLogTail } from './log-tail.js';
import { UserError } from '../../errors.js';

/** The part of the router's control registry this needs (src/router/control-registry.ts has this shape). */
export interface ControlMethodRegistry {
  register<S extends z.ZodType>(method: string, schema: S, handler: (params: z.output<S>) => unknown): void;
}

const appId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected a release id');

export const appsStartParams = z.object({
  id: appId,
  cwd: z.string().startsWith('/', 'expected an absolute path'),
  command: z.string().min(1),
  env: z.record(z.string(), z.string()),
  port: z.number().int().min(1).max(65535).optional(),
  logFile: z.string().startsWith('/', 'expected an absolute path'),
  restartOnCrash: z.boolean().optional(),
});
export const appsStopParams = z.object({ id: appId, timeoutMs: z.number().int().min(0).max(600_000).optional(), forget: z.boolean().optional() });
export const appsUpdateParams = z.object({ id: appId, restartOnCrash: z.boolean() });
export const appsRetireParams = z.object({
  id: appId,
  afterMs: z.number().int().min(0).max(7 * 24 * 3_600_000),
  drainTimeoutMs: z.number().int().min(0).max(3_600_000),
});
export const appsLogsParams = z.object({ id: appId, lines: z.number().int().min(1).max(500).optional() });

/**
 * Adds `apps.start`, `apps.stop`, `apps.update`, `apps.retire`, `apps.list` and `apps.logs` to the environment runtime's control socket.
 * The app's environment (secrets) arrives in `apps.start` over the 0600 unix socket and stays in memory:
 * it is never on a command line, never written to disk, and `apps.list` does not return it.
 */
export function registerSupervisorControl(registry: ControlMethodRegistry, supervisor: AppSupervisor, keepWarm?: KeepWarm): void {
  registry.register('apps.start', appsStartParams, (params) => rejectOnError(() => supervisor.start(params)));
  registry.register('apps.stop', appsStopParams, (params) =>
    rejectOnError(async () => {
      keepWarm?.cancel(params.id);
      const result = await supervisor.stop(params.id, params.timeoutMs);
      if (params.forget) supervisor.remove(params.id);
      return result;
    }),
  );
  registry.register('apps.update', appsUpdateParams, (params) =>
    rejectOnError(() => {
      // Back in service (e.g. a rollback to the warm release): no longer due to be stopped.
      if (params.restartOnCrash) keepWarm?.cancel(params.id);
      return supervisor.setRestartOnCrash(params.id, params.restartOnCrash);
    }),
  );
  registry.register('apps.retire', appsRetireParams, (params) =>
    rejectOnError(() => {
      if (!keepWarm) throw new Error('this runtime cannot keep apps warm');
      if (!supervisor.get(params.id)) throw new Error(`no app named ${params.id}`);
      return keepWarm.retire(params);
    }),
  );
  registry.register('apps.list', z.object({}), () => supervisor.list().map((app) => ({ ...app, warmUntil: keepWarm?.warmUntil(app.id) ?? null })));
  registry.register('apps.logs', appsLogsParams, async (params) => {
    const app = supervisor.get(params.id);
    if (!app) throw new UserError(`no app named ${params.id}`);
    return { id: app.id, lines: await readLogTail(app.logFile, params.lines ?? 20) };
  });
}

/** The supervisor's refusals (unknown app, already running) travel back as `rejected`, not as internal errors. */
async function rejectOnError<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new UserError(error instanceof Error ? error.message : String(error));
  }
}
