import { hostname, userInfo } from 'node:os';
import type { ResolvedEnvironment } from '../../config/types.js';
import { ExitCode, UserError } from '../../errors.js';
import { acquireLock } from '../../lock/lock.js';
import { connectRouter, type RouterClient } from '../../router/client.js';
import { ensureRouter } from '../../router/ensure.js';
import { builtFile } from '../../package-root.js';
import { StateStore } from '../../state/store.js';
import { appEnvironment } from './app-env.js';
import { flowTiming } from '../../rollout/timing.js';
import { slotFor } from '../../rollout/slots.js';
import { waitReady } from '../../rollout/wait-ready.js';
import { configureAlerts } from './guard-client.js';
import { LocalRunner, requireSupervisor } from './local-runner.js';
import { readRelease } from './releases.js';

/** What `deploy resume` did for one environment. */
export interface ResumeResult {
  environment: string;
  /** serving: it already was; resumed: something was started or switched; idle: never deployed; failed: see message. */
  status: 'serving' | 'resumed' | 'idle' | 'failed';
  release: string | null;
  runtime: { pid: number; keeperPid: number | null; host: string; port: number } | null;
  /** What was done, in order (empty when nothing was needed). */
  actions: string[];
  /** The pause or maintenance this resume ended (not with --watch), else null. */
  ended?: 'paused' | 'maintenance' | null;
  message: string;
}

export interface ResumeOptions {
  /** The runtime entry; default the compiled runtime-daemon.js next to this file. */
  daemonPath?: string;
  /** Wait for a held deploy lock this long; default 0 (a deploy in progress: exit 5). */
  lockWaitMs?: number;
}

/**
 * Brings an environment back from its state without deploying anything: the runtime (keeper + router + supervisor,
 * routing table restored) and the active release of state.json, started from its release directory if it is not
 * running, health-checked, routed and supervised. Idempotent: when all of that already holds, it changes nothing.
 */
export async function resumeLocal(config: ResolvedEnvironment, options: ResumeOptions = {}): Promise<ResumeResult> {
  const environment = config.environment;
  const store = new StateStore(config.projectRoot, environment);
  const result: ResumeResult = { environment, status: 'serving', release: null, runtime: null, actions: [], message: '' };
  const state = await store.read();
  if (!state.active) return { ...result, status: 'idle', message: `${environment}: never deployed; nothing to resume` };
  if (!config.start) throw new UserError('start: required for platform local (the command that starts one instance, e.g. "node server.js")', ExitCode.usage);
  if (config.port === null) throw new UserError(`environments.${environment}.port: required for platform local`, ExitCode.usage);
  const target = state.active.release;
  result.release = target;

  const lock = await acquireLock({ stateDir: config.stateDir, environment, waitMs: options.lockWaitMs ?? 0 });
  const started = performance.now();
  let router: RouterClient | null = null;
  try {
    const wasRunning = await connectRouter(config.stateDir).then((c) => (c.close(), true), () => false);
    router = await ensureRouter({
      stateDir: config.stateDir,
      port: config.port,
      host: config.listen,
      daemonPath: options.daemonPath ?? builtFile('localRuntime'),
    });
    await requireSupervisor(router, environment);
    const info = await router.call<{ pid: number; keeperPid: number | null; host: string; port: number }>('runtime.info');
    result.runtime = { pid: info.pid, keeperPid: info.keeperPid, host: info.host, port: info.port };
    if (!wasRunning) result.actions.push(`runtime started (pid ${info.pid} on ${info.host}:${info.port}, routing table restored)`);

    const runner = new LocalRunner(router, { stateDir: config.stateDir, start: config.start, env: (release) => appEnvironment(config, release) });
    let running = await runner.running(target);
    // The runtime lists only processes that still run (not a killed one init has yet to reap, not a reused pid), but
    // a live one can hang: it must answer its health path within the health timeout, or it is replaced.
    const timing = flowTiming(config).health;
    const answer = running && (await waitReady(runner, running, timing, new AbortController().signal));
    if (answer && !answer.ok) {
      result.actions.push(`release ${target} did not answer (${answer.detail}); stopped`);
      running = null;
    }
    if (!running) {
      const meta = await readRelease(config.stateDir, target);
      if (!meta) return { ...result, status: 'failed', message: `${environment}: release ${target} is gone from .deploy/${environment}/releases; deploy again or roll back` };
      // A crashed app the supervisor still lists (e.g. adopted, not restartable) is replaced.
      await runner.stop(target, 5_000).catch(() => undefined);
      running = await runner.start(meta);
      const ready = await waitReady(runner, running, timing, new AbortController().signal);
      if (!ready.ok) {
        await runner.stop(running.id, 5_000).catch(() => undefined);
        return { ...result, status: 'failed', message: `${environment}: release ${target} did not come back: ${ready.detail}; nothing serves ${config.url}` };
      }
      result.actions.push(`release ${target} started (${ready.detail})`);
    }
    const table = (await router.status()).table;
    if (table.active?.id !== running.id || table.active.url !== running.url || table.canary !== null) {
      await router.setActive({ id: running.id, url: running.url }, { drainTimeoutMs: config.drainTimeoutMs });
      result.actions.push(`traffic routed to ${running.id}`);
    }
    await runner.setActive(running.id, true);
    await configureAlerts({ config, log: () => undefined }, router);

    const runningIds = new Set(await runner.runningIds());
    const slot = slotFor(running, true, new Date(state.active.since));
    const previousRunning = state.previous ? runningIds.has(state.previous.release) : false;
    if (state.active.upstream !== slot.upstream || !state.active.running || (state.previous && state.previous.running !== previousRunning)) {
      await store.update((s) => ({ ...s, active: { ...slot, since: s.active?.since ?? slot.since }, previous: s.previous ? { ...s.previous, running: previousRunning } : null }));
    }
    if (result.actions.length === 0) return { ...result, message: `${environment}: ${target} serves (runtime pid ${info.pid} on ${info.host}:${info.port}); nothing to do` };
    await store.appendHistory({
      ts: new Date().toISOString(),
      type: 'recovery',
      environment,
      status: 'recovered',
      verified: false,
      release: releaseOf(state, target),
      user: safeUser(),
      host: hostname(),
      reason: 'deploy resume',
      detail: result.actions.join('; '),
      durationMs: Math.round(performance.now() - started),
    });
    return { ...result, status: 'resumed', message: `${environment}: ${result.actions.join('; ')}` };
  } finally {
    router?.close();
    await lock.release();
  }
}

function releaseOf(state: { releases: { id: string; version: string; commit: string | null; contentHash: string | null }[] }, id: string) {
  const found = state.releases.find((r) => r.id === id);
  return { id, version: found?.version ?? '', commit: found?.commit ?? null, contentHash: found?.contentHash ?? null };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
