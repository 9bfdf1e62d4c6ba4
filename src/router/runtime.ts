import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { ControlRegistry } from './control-registry.js';
import { registerRouterMethods } from './control-methods.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { createRouter, type Router, type RouterOptions } from './router.js';
import { socketPath } from './client.js';
import { registerFlagMethods } from './flags.js';
import type { KeeperLink } from './keeper-link.js';

export interface RuntimeOptions {
  stateDir: string;
  port: number;
  host?: string;
  log?: (line: string) => void;
  /** Set when a keeper runs this runtime: the public socket comes from it, and memory that survives a crash. */
  keeper?: KeeperLink | null;
  /** ACME clock, renewal timer and polling (tests shorten them). */
  acme?: RouterOptions['acme'];
  /** Hooks that add control methods (e.g. the app supervisor's `apps.*`) before the socket opens. */
  extensions?: ((runtime: Runtime) => void)[];
}

/**
 * The environment runtime: the router on the public port plus the control socket, in one long-running process.
 * Shutdown closes the router gracefully first, then runs the registered hooks (e.g. stop supervised apps).
 */
export interface Runtime {
  readonly router: Router;
  readonly registry: ControlRegistry;
  readonly stateDir: string;
  /** The keeper that holds the public socket and restarts this runtime; null when started without one. */
  readonly keeper: KeeperLink | null;
  onShutdown(hook: () => Promise<void> | void): void;
  shutdown(graceMs?: number): Promise<void>;
  /** Resolves after shutdown finished, whoever started it. */
  readonly closed: Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const keeper = options.keeper ?? null;
  const router = await createRouter({ port: options.port, host: options.host, listenHandle: keeper?.handle, stateDir: options.stateDir, log: options.log, acme: options.acme });
  const registry = new ControlRegistry();
  const hooks: (() => Promise<void> | void)[] = [];
  let control: ControlServer | null = null;
  let shuttingDown: Promise<void> | null = null;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const runtime: Runtime = {
    router,
    registry,
    stateDir: options.stateDir,
    keeper,
    closed,
    onShutdown: (hook) => hooks.push(hook),
    shutdown: (graceMs = 10_000) =>
      (shuttingDown ??= (async () => {
        options.log?.(`shutting down (grace ${graceMs} ms)`);
        // Requests in flight finish first; only then do hooks stop what serves them (e.g. supervised apps).
        await router.close(graceMs);
        for (const hook of hooks.reverse()) await Promise.resolve(hook()).catch((error) => options.log?.(`shutdown hook failed: ${String(error)}`));
        options.log?.('stopped');
        // Last: a client waiting in `shutdown()` returns when its connection closes, so nothing may be written after.
        await control?.close();
        markClosed();
      })()),
  };

  registerRouterMethods(registry, router);
  registerFlagMethods(registry, router.flags);
  registry.register('router.shutdown', z.strictObject({ graceMs: z.number().int().min(0).max(600_000).optional() }), (params) => {
    // Answer first, then stop: the caller gets its reply before the socket goes away.
    setImmediate(() => void runtime.shutdown(params.graceMs));
    return { stopping: true };
  });
  const startedAt = new Date().toISOString();
  // Who serves the port, for `deploy status`: this process, its keeper, the address, how often it was restarted.
  registry.register('runtime.info', z.strictObject({}), () => ({
    pid: process.pid,
    keeperPid: keeper?.keeperPid ?? null,
    host: router.host,
    port: router.port,
    startedAt,
    restarts: keeper ? keeper.starts - 1 : 0,
    restartedAfter: keeper?.restartedAfter ?? null,
  }));
  for (const extend of options.extensions ?? []) extend(runtime);
  try {
    control = await startControlServer(socketPath(options.stateDir), registry);
  } catch (error) {
    await router.close(0);
    throw error;
  }
  keeper?.ready();
  options.log?.(`router listening on ${router.host}:${router.port}, control on ${control.path}, pid ${process.pid}${keeper ? `, keeper pid ${keeper.keeperPid} (start ${keeper.starts})` : ''}`);
  return runtime;
}
