import { parseArgs } from 'node:util';
import { startRuntime, type Runtime } from './runtime.js';
import { waitForKeeper, type KeeperLink } from './keeper-link.js';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

export interface DaemonOptions {
  /** Modules hosted in the runtime, e.g. the app supervisor. They get the daemon's log. */
  extensions?: ((runtime: Runtime, log: (line: string) => void) => void)[];
}

/**
 * The body of a runtime daemon process: `--state-dir DIR --port N [--host H] [--grace MS]`. stdout/stderr go to the
 * log file the starter opened. Exits 0 after a graceful stop (SIGTERM, SIGINT or `router.shutdown`), 2 when it
 * cannot start. The router's own daemon and platform daemons that host more modules share it.
 */
export async function runDaemon(options: DaemonOptions = {}): Promise<void> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, grace: { type: 'string' }, keeper: { type: 'boolean' } },
  });
  const stateDir = values['state-dir'];
  const port = Number(values.port);
  if (!stateDir || !Number.isInteger(port) || port < 0 || port > 65535) {
    log('usage: --state-dir DIR --port N [--host H] [--grace MS]');
    process.exitCode = 2;
    return;
  }
  const graceMs = values.grace ? Number(values.grace) : 10_000;
  let runtime: Runtime;
  try {
    const extensions = (options.extensions ?? []).map((extend) => (target: Runtime) => extend(target, log));
    // Under a keeper the public socket is already bound; it comes over the IPC channel.
    const keeper: KeeperLink | null = values.keeper ? await waitForKeeper() : null;
    if (keeper) process.on('disconnect', () => log('the keeper is gone; serving on without it (a crash now would close the port)'));
    runtime = await startRuntime({ stateDir, port, host: values.host ?? '0.0.0.0', log, extensions, keeper });
  } catch (error) {
    log(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    // An open IPC channel to a keeper would keep this process alive.
    process.exit(2);
  }
  const stop = (signal: string) => {
    log(`${signal} received`);
    void runtime.shutdown(graceMs);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => log('SIGHUP ignored'));
  // One broken connection must not take the environment's traffic down with it; log it and keep serving.
  process.on('uncaughtException', (error) => log(`uncaught: ${error.stack ?? String(error)}`));
  await runtime.closed;
  process.exit(0);
}
