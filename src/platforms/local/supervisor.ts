import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { appCommand, signalGroup, spawnApp } from './spawn-app.js';
import { groupAlive, processIdentity } from '../../exec/process-liveness.js';
import { findFreePort } from './free-port.js';
import { watchAdopted } from './adopted-watch.js';

export interface AppSpec {
  /** Unique name of the app process, normally the release id. */
  id: string;
  cwd: string;
  /** The user's `start:` line (run through a shell). */
  command: string;
  /** The app's complete environment (secrets included). PORT is added. Kept in memory only. */
  env: Record<string, string>;
  /** Fixed port; when absent a free loopback port is chosen once and kept across restarts. */
  port?: number;
  host?: string;
  logFile: string;
  /** Restart when it exits without being asked to (the active release). Green stays false until it gets traffic. */
  restartOnCrash?: boolean;
}

export type AppState = 'running' | 'backoff' | 'exited' | 'stopping' | 'stopped' | 'gave-up';

export interface AppInfo {
  id: string;
  pid: number | null;
  port: number;
  url: string;
  cwd: string;
  logFile: string;
  state: AppState;
  restartOnCrash: boolean;
  /** Restarts after crashes since the app was started. */
  restarts: number;
  startedAt: string;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /**
   * Found running when the runtime started (left by a runtime that died). Restarted after a crash like any other when
   * the keeper kept its spec (environment) in memory; otherwise stoppable but not restartable (`deploy resume` is).
   */
  adopted?: boolean;
}

/** What the runtime remembers on disk about a running app so a new runtime can adopt it. Never the env. */
export interface AdoptableApp {
  id: string;
  pid: number;
  port: number;
  url: string;
  cwd: string;
  logFile: string;
  startedAt: string;
  /**
   * Which process the pid named (boot id and start time, see exec/process-liveness.ts): a process that got the pid
   * later is not adopted. Absent from files written before it was recorded; then a live pid is taken at its word.
   */
  identity?: string;
}

/** An app's full start spec as the keeper keeps it in memory across a runtime crash (never on disk: env holds secrets). */
export interface StashedApp extends AppSpec {
  port: number;
  host: string;
  restartOnCrash: boolean;
  restarts: number;
}

export type SupervisorEvent =
  | { type: 'started'; id: string; pid: number; port: number; restart: number }
  | { type: 'updated'; id: string; restartOnCrash: boolean }
  | { type: 'exited'; id: string; code: number | null; signal: string | null; expected: boolean; uptimeMs: number }
  | { type: 'restarting'; id: string; attempt: number; delayMs: number }
  | { type: 'gave-up'; id: string; attempts: number };

export interface SupervisorOptions {
  /** First restart delay; doubles per consecutive crash up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** An app that ran this long before crashing starts the backoff again from the beginning. */
  stableAfterMs?: number;
  /** Consecutive quick crashes before giving up. */
  maxRestarts?: number;
  now?: () => number;
}

export interface StopResult {
  id: string;
  /** SIGKILL was needed after the timeout. */
  forced: boolean;
  code: number | null;
  signal: string | null;
}

interface Entry {
  spec: AppSpec & { port: number; host: string };
  info: AppInfo;
  child: ChildProcess | null;
  adoptedPid: number | null;
  /** processIdentity() of the app's pid, recorded in apps.json. */
  identity: string | null;
  startedAtMs: number;
  consecutiveCrashes: number;
  timer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

/**
 * Runs app processes: start on a loopback port, restart the active one with backoff when it crashes,
 * stop with SIGTERM then SIGKILL (whole process group). Reports through 'event' (SupervisorEvent);
 * the runtime that hosts it writes those to history. Knows nothing about the router.
 */
export class AppSupervisor extends EventEmitter<{ event: [SupervisorEvent] }> {
  private readonly apps = new Map<string, Entry>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly stableAfterMs: number;
  private readonly maxRestarts: number;
  private readonly now: () => number;

  constructor(options: SupervisorOptions = {}) {
    super();
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.stableAfterMs = options.stableAfterMs ?? 30_000;
    this.maxRestarts = options.maxRestarts ?? 10;
    this.now = options.now ?? Date.now;
  }

  async start(spec: AppSpec): Promise<AppInfo> {
    const existing = this.apps.get(spec.id);
    if (existing && isLive(existing.info.state)) throw new Error(`app ${spec.id} is already running (pid ${existing.info.pid})`);
    const host = spec.host ?? '127.0.0.1';
    const port = spec.port ?? (await findFreePort(host));
    const full = { ...spec, host, port };
    const entry: Entry = {
      spec: full,
      info: {
        id: spec.id,
        pid: null,
        port,
        url: `http://${host}:${port}`,
        cwd: spec.cwd,
        logFile: spec.logFile,
        state: 'running',
        restartOnCrash: spec.restartOnCrash ?? false,
        restarts: 0,
        startedAt: new Date(this.now()).toISOString(),
        lastExit: null,
      },
      child: null,
      adoptedPid: null,
      identity: null,
      startedAtMs: this.now(),
      consecutiveCrashes: 0,
      timer: null,
      exited: Promise.resolve(),
    };
    this.apps.set(spec.id, entry);
    this.launch(entry);
    return { ...entry.info };
  }

  /**
   * Takes over an app a previous runtime started, if its process still runs: alive (a zombie is dead: after a kill of
   * every process, init may not have reaped it yet) and the same process (not a later one given its pid). It keeps
   * serving. Its pid is watched (it is not our child). With `spec` (kept by the keeper) a crash is restarted like any
   * other; without, it can be listed and stopped only: its environment was never written down.
   */
  adopt(app: AdoptableApp, options: { spec?: StashedApp; pollMs?: number } = {}): AppInfo | null {
    const identity = processIdentity(app.pid);
    if (this.apps.has(app.id) || identity === null || (app.identity ?? identity) !== identity || !groupAlive(app.pid)) return null;
    const spec = options.spec?.id === app.id ? options.spec : null;
    const entry: Entry = {
      spec: spec ? { ...spec, port: app.port } : { id: app.id, cwd: app.cwd, command: '', env: {}, logFile: app.logFile, port: app.port, host: new URL(app.url).hostname },
      info: {
        id: app.id,
        pid: app.pid,
        port: app.port,
        url: app.url,
        cwd: app.cwd,
        logFile: app.logFile,
        state: 'running',
        restartOnCrash: spec?.restartOnCrash ?? false,
        restarts: spec?.restarts ?? 0,
        startedAt: app.startedAt,
        lastExit: null,
        adopted: true,
      },
      child: null,
      adoptedPid: app.pid,
      identity,
      startedAtMs: this.now(),
      consecutiveCrashes: 0,
      timer: null,
      exited: Promise.resolve(),
    };
    entry.exited = watchAdopted(app.pid, identity, options.pollMs ?? 100).gone.then(() => {
      if (entry.adoptedPid !== app.pid) return;
      entry.adoptedPid = null;
      // What the app left in its group is killed as for our own children, unless the pid names another process now.
      this.handleExit(entry, null, null, processIdentity(app.pid) === null ? app.pid : null);
    });
    this.apps.set(app.id, entry);
    return { ...entry.info };
  }

  /** Full specs of the live apps that have one, for the keeper to hand to the next runtime. */
  specs(): StashedApp[] {
    return [...this.apps.values()]
      .filter((e) => isLive(e.info.state) && e.spec.command !== '')
      .map((e) => ({ ...e.spec, restartOnCrash: e.info.restartOnCrash, restarts: e.info.restarts }));
  }

  /** Live apps as they are written to disk for a later runtime to adopt. */
  adoptable(): AdoptableApp[] {
    return [...this.apps.values()]
      .filter((e) => isLive(e.info.state) && e.info.pid !== null)
      .map((e) => ({
        id: e.info.id,
        pid: e.info.pid!,
        port: e.info.port,
        url: e.info.url,
        cwd: e.info.cwd,
        logFile: e.info.logFile,
        startedAt: e.info.startedAt,
        ...(e.identity ? { identity: e.identity } : {}),
      }));
  }

  /** Marks an app as the active one (restart on crash) or not. */
  setRestartOnCrash(id: string, restart: boolean): AppInfo {
    const entry = this.require(id);
    entry.info.restartOnCrash = restart;
    this.emit('event', { type: 'updated', id, restartOnCrash: restart });
    return { ...entry.info };
  }

  async stop(id: string, timeoutMs = 10_000): Promise<StopResult> {
    const entry = this.require(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    const pid = entry.child?.pid ?? entry.adoptedPid;
    if (!pid || !isLive(entry.info.state)) {
      entry.info.state = 'stopped';
      return { id, forced: false, code: entry.info.lastExit?.code ?? null, signal: entry.info.lastExit?.signal ?? null };
    }
    entry.info.state = 'stopping';
    signalGroup(pid, 'SIGTERM');
    // Done when the app and everything it started are gone, not only the process we spawned.
    const gone = (async () => {
      await entry.exited;
      while (groupAlive(pid)) await sleep(20);
    })();
    let forced = false;
    const timedOut = await Promise.race([gone.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut) {
      forced = true;
      signalGroup(pid, 'SIGKILL');
      await Promise.race([gone, sleep(5_000)]);
    }
    entry.info.state = 'stopped';
    return { id, forced, code: entry.info.lastExit?.code ?? null, signal: entry.info.lastExit?.signal ?? null };
  }

  /** Stops every app (in parallel), e.g. when the runtime shuts down. */
  async stopAll(timeoutMs = 10_000): Promise<StopResult[]> {
    return Promise.all([...this.apps.keys()].map((id) => this.stop(id, timeoutMs)));
  }

  /** Forgets a stopped app. */
  remove(id: string): void {
    const entry = this.apps.get(id);
    if (entry && isLive(entry.info.state)) throw new Error(`app ${id} is still running; stop it first`);
    this.apps.delete(id);
  }

  get(id: string): AppInfo | null {
    const entry = this.apps.get(id);
    return entry ? { ...entry.info } : null;
  }

  list(): AppInfo[] {
    return [...this.apps.values()].map((entry) => ({ ...entry.info }));
  }

  private require(id: string): Entry {
    const entry = this.apps.get(id);
    if (!entry) throw new Error(`no app named ${id}`);
    return entry;
  }

  private launch(entry: Entry): void {
    const { spec } = entry;
    const env = { ...spec.env, PORT: String(spec.port) };
    const child = spawnApp(appCommand(spec.command, spec.cwd, env), spec.logFile, `start ${spec.id} on port ${spec.port}: ${spec.command}`);
    entry.child = child;
    entry.identity = child.pid ? processIdentity(child.pid) : null;
    entry.startedAtMs = this.now();
    entry.info.state = 'running';
    entry.info.pid = child.pid ?? null;
    entry.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // Spawn failure (e.g. cwd missing): reported like an exit.
        entry.info.lastExit = { code: null, signal: null, at: new Date(this.now()).toISOString() };
        this.onExit(entry, child, null, `spawn error: ${error.message}`);
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.onExit(entry, child, code, signal);
        resolve();
      });
    });
    if (child.pid) this.emit('event', { type: 'started', id: spec.id, pid: child.pid, port: spec.port, restart: entry.info.restarts });
  }

  private onExit(entry: Entry, child: ChildProcess, code: number | null, signal: string | null): void {
    if (entry.child !== child) return;
    this.handleExit(entry, code, signal, child.pid ?? null);
  }

  /** An exit of our child or of an adopted app (then code and signal are unknown). */
  private handleExit(entry: Entry, code: number | null, signal: string | null, groupPid: number | null): void {
    const expected = entry.info.state === 'stopping' || entry.info.state === 'stopped';
    const uptimeMs = this.now() - entry.startedAtMs;
    entry.info.lastExit = { code, signal, at: new Date(this.now()).toISOString() };
    entry.info.pid = null;
    this.emit('event', { type: 'exited', id: entry.spec.id, code, signal, expected, uptimeMs });
    if (expected) return;
    // Whatever the crashed app left running in its group would hold the port the restart needs.
    if (groupPid) signalGroup(groupPid, 'SIGKILL');
    // An adopted app without the spec the keeper kept cannot be started again here (`deploy resume` can).
    if (!entry.info.restartOnCrash || entry.spec.command === '') {
      entry.info.state = 'exited';
      return;
    }
    entry.consecutiveCrashes = uptimeMs >= this.stableAfterMs ? 1 : entry.consecutiveCrashes + 1;
    if (entry.consecutiveCrashes > this.maxRestarts) {
      entry.info.state = 'gave-up';
      this.emit('event', { type: 'gave-up', id: entry.spec.id, attempts: entry.consecutiveCrashes - 1 });
      return;
    }
    const delayMs = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (entry.consecutiveCrashes - 1));
    entry.info.state = 'backoff';
    this.emit('event', { type: 'restarting', id: entry.spec.id, attempt: entry.consecutiveCrashes, delayMs });
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (entry.info.state !== 'backoff') return;
      entry.info.restarts++;
      this.launch(entry);
    }, delayMs);
  }
}

function isLive(state: AppState): boolean {
  return state === 'running' || state === 'backoff' || state === 'stopping';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
