import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtFile } from '../package-root.js';
import { UserError } from '../errors.js';
import type { Command } from '../exec/command.js';
import { connectRouter, type RouterClient } from './client.js';
import { ControlError } from './control-protocol.js';
import { EXIT_OWNED_ELSEWHERE } from './keeper-exit.js';

export const LOG_FILE = 'router.log';

export interface EnsureRouterOptions {
  stateDir: string;
  port: number;
  host?: string;
  /** Defaults to the compiled daemon of this build. */
  daemonPath?: string;
  /**
   * The keeper that holds the public socket and restarts the daemon when it crashes (src/router/keeper.ts). Defaults
   * to the compiled keeper of this build; false runs the daemon alone (a crash then closes the port).
   */
  keeperPath?: string | false;
  startTimeoutMs?: number;
}

/** The daemon start, as data. It is spawned detached (not through the executor, which waits for commands to end). */
export function daemonCommand(options: EnsureRouterOptions): Command {
  const daemonPath = options.daemonPath ?? builtFile('routerDaemon');
  const where = ['--state-dir', options.stateDir, '--port', String(options.port), '--host', options.host ?? '0.0.0.0'];
  const keeperPath = options.keeperPath === undefined ? builtFile('routerKeeper') : options.keeperPath;
  return {
    file: process.execPath,
    args: keeperPath ? [keeperPath, ...where, '--runtime', daemonPath] : [daemonPath, ...where],
    mutates: true,
  };
}

/**
 * Returns a client for the environment's router, starting the detached daemon first if none is running.
 * The daemon outlives the caller; its output goes to `<stateDir>/router.log`.
 */
export async function ensureRouter(options: EnsureRouterOptions): Promise<RouterClient> {
  const existing = await connectRouter(options.stateDir).catch(() => null);
  if (existing) return checkPort(existing, options.port);

  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const command = daemonCommand(options);
  const missing = entryFiles(command).find((file) => !existsSync(file));
  if (missing) throw new UserError(`router daemon not found at ${missing} (run the build first)`);
  const logPath = join(options.stateDir, LOG_FILE);
  const logFd = openSync(logPath, 'a', 0o600);
  const child = spawn(command.file, command.args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited: { code: number | null } | null = null;
  // Another starter's keeper won the state dir at the same moment: wait for its runtime instead of failing.
  const ownedElsewhere = () => exited?.code === EXIT_OWNED_ELSEWHERE;
  child.once('exit', (code) => (exited = { code }));
  child.once('error', () => (exited = { code: null }));
  child.unref();

  const deadline = performance.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    const client = await connectRouter(options.stateDir).catch(() => null);
    if (client) return ownedElsewhere() ? checkPort(client, options.port) : client;
    if (exited && !ownedElsewhere()) throw new UserError(`router failed to start: ${await lastLine(logPath)} (log: ${logPath})`);
    if (performance.now() > deadline) {
      throw new ControlError('unreachable', `router did not open its control socket within ${options.startTimeoutMs ?? 10_000} ms (log: ${logPath})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The scripts a daemon command runs: the daemon, and the keeper in front of it when there is one. */
function entryFiles(command: Command): string[] {
  const runtime = command.args.indexOf('--runtime');
  return runtime === -1 ? [command.args[0]!] : [command.args[0]!, command.args[runtime + 1]!];
}

/** Refuses a running router that serves another port than the config's. */
export async function checkPort(client: RouterClient, port: number): Promise<RouterClient> {
  if (port === 0) return client;
  const status = await client.status();
  if (status.port !== port) {
    client.close();
    throw new UserError(`the router for this environment already listens on port ${status.port}, not ${port}; stop it first`);
  }
  return client;
}

async function lastLine(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').replace(/^\S+ /, '') || 'no output';
}
