import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { basename, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { takeOwnerLock, type OwnerLock } from './owner-lock.js';
import type { KeeperMessage, RuntimeMessage } from './keeper-protocol.js';
import { EXIT_OWNED_ELSEWHERE } from './keeper-exit.js';


export interface KeeperOptions {
  stateDir: string;
  port: number;
  host: string;
  /** The runtime daemon to run (router daemon, or a platform's runtime that hosts more modules). */
  runtimePath: string;
  /** Arguments passed on to the runtime besides --state-dir/--port/--host (e.g. --grace). */
  extraArgs?: string[];
  log?: (line: string) => void;
  /** Crashes within `quickCrashMs` of a start count as quick; after `maxQuickCrashes` in a row, restarts are spaced out. */
  quickCrashMs?: number;
  maxQuickCrashes?: number;
}

interface NodeTcpHandle {
  getsockname(out: { address?: string; port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number) => NodeTcpHandle | number;

/**
 * The keeper: a tiny process that owns the environment's public listening socket and runs the runtime (router +
 * supervisor) as its child. The socket is bound and handed to every runtime it starts, but the keeper itself never
 * accepts on it: when the runtime dies, the socket stays open in the kernel and new connections wait in its backlog
 * until the next runtime takes the socket and accepts them. Nothing is refused while the runtime restarts.
 *
 * The runtime gives the keeper what it must not write to disk (the apps' environment, the guard's notifier secrets)
 * through `stash` messages; the keeper hands them back to the next runtime in memory only.
 *
 * A runtime that exits 0 was stopped on purpose (`deploy stop`, SIGTERM): the keeper exits with it.
 */
export async function runKeeper(options: KeeperOptions): Promise<number> {
  const log = options.log ?? (() => undefined);
  let lock: OwnerLock;
  try {
    lock = await takeOwnerLock(options.stateDir);
  } catch (error) {
    log(`keeper: ${(error as Error).message}`);
    return EXIT_OWNED_ELSEWHERE;
  }
  // node's own primitive for a server socket that is bound but polled by nobody (node's cluster module uses it).
  const createServerHandle = (net as unknown as { _createServerHandle: CreateServerHandle })._createServerHandle;
  const handle = createServerHandle(options.host, options.port, net.isIPv6(options.host) ? 6 : 4);
  // libuv defers a bind's EADDRINUSE to listen(): an unbound socket (no port) is how it shows here.
  const address: { port?: number } = {};
  if (typeof handle === 'number' || handle.getsockname(address) !== 0 || !address.port) {
    if (typeof handle !== 'number') handle.close();
    log(`cannot start: router: port ${options.port} on ${options.host} is already in use`);
    await lock.release();
    return 2;
  }
  const port = address.port;
  log(`keeper pid ${process.pid} holds ${options.host}:${port}`);

  const stash = new Map<string, unknown>();
  const quickCrashMs = options.quickCrashMs ?? 5_000;
  const maxQuickCrashes = options.maxQuickCrashes ?? 5;
  let stopping = false;
  let child: ChildProcess | null = null;
  let starts = 0;
  let quickCrashes = 0;
  let lastCrash: { pid: number; code: number | null; signal: string | null; at: string } | null = null;

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      handle.close();
      void lock.release().finally(() => resolve(code));
    };

    const start = () => {
      const startedAt = Date.now();
      starts++;
      const runtime = fork(options.runtimePath, ['--state-dir', options.stateDir, '--port', String(port), '--host', options.host, '--keeper', ...(options.extraArgs ?? [])], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child = runtime;
      let ready = false;
      runtime.on('message', (message: RuntimeMessage) => {
        if (message?.type === 'stash') {
          if (message.value === undefined || message.value === null) stash.delete(message.key);
          else stash.set(message.key, message.value);
        } else if (message?.type === 'ready') {
          ready = true;
        }
      });
      const hello: KeeperMessage = { type: 'listen', keeperPid: process.pid, starts, stash: Object.fromEntries(stash), restartedAfter: lastCrash };
      runtime.send(hello, handle as never, (error) => {
        if (error) log(`keeper: could not hand the socket to runtime pid ${runtime.pid}: ${error.message}`);
      });
      runtime.once('exit', (code, signal) => {
        child = null;
        if (stopping || code === 0) {
          // Silent: the runtime's 'stopped' is the environment's last log line (`deploy stop` waits for it).
          finish(0);
          return;
        }
        if (!ready && starts === 1) {
          // The first runtime could not start (bad table, control socket owned...): the starter reports it.
          log(`keeper: runtime did not start (code ${code}); keeper exits`);
          finish(code ?? 2);
          return;
        }
        lastCrash = { pid: runtime.pid ?? 0, code, signal, at: new Date().toISOString() };
        quickCrashes = Date.now() - startedAt < quickCrashMs ? quickCrashes + 1 : 0;
        const delayMs = quickCrashes > maxQuickCrashes ? Math.min(10_000, 500 * 2 ** (quickCrashes - maxQuickCrashes)) : 0;
        const how = signal ?? `code ${code}`;
        log(`keeper: runtime pid ${runtime.pid} died (${how}); restarting${delayMs ? ` in ${delayMs} ms` : ''}, the socket stays open`);
        recordCrash(options.stateDir, `the runtime (pid ${runtime.pid}) died (${how}); its keeper restarted it, the public port stayed open`);
        setTimeout(() => (stopping ? finish(0) : start()), delayMs);
      });
    };

    const stop = (signal: NodeJS.Signals) => {
      log(`keeper: ${signal} received`);
      stopping = true;
      if (child) child.kill('SIGTERM');
      else finish(0);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => log('keeper: SIGHUP ignored'));
    start();
  });
}

/** A runtime crash lands in the environment's history (stateDir is <project>/.deploy/<env>). */
function recordCrash(stateDir: string, detail: string): void {
  const record = {
    ts: new Date().toISOString(),
    type: 'restart',
    environment: basename(stateDir),
    status: 'recovered',
    verified: false,
    user: safeUser(),
    host: hostname(),
    reason: 'runtime crashed',
    detail,
  };
  try {
    appendFileSync(join(stateDir, 'history.jsonl'), JSON.stringify(record) + '\n', { mode: 0o600 });
  } catch {
    // The log line above says it; history is best effort here.
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `node keeper-daemon.js --state-dir DIR --port N --host H --runtime PATH [--grace MS]`. */
export async function keeperMain(): Promise<void> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, runtime: { type: 'string' }, grace: { type: 'string' } },
  });
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const port = Number(values.port);
  if (!values['state-dir'] || !values.runtime || !Number.isInteger(port) || port < 0 || port > 65535) {
    log('usage: --state-dir DIR --port N --host H --runtime PATH [--grace MS]');
    process.exit(2);
  }
  const code = await runKeeper({
    stateDir: values['state-dir'],
    port,
    host: values.host ?? '127.0.0.1',
    runtimePath: values.runtime,
    extraArgs: values.grace ? ['--grace', values.grace] : [],
    log,
  });
  process.exit(code);
}
