import type { UpstreamMetrics } from '../contracts/metrics.js';
import type { PostCheckResult } from '../contracts/summary.js';

/** A release as the engine knows it: its id and what it was built from. */
export interface ReleaseMeta {
  id: string;
  version: string;
  commit: string | null;
  contentHash: string | null;
}

export interface RunningRelease {
  id: string;
  /** Origin the release is reached at directly (smoke, health), e.g. http://127.0.0.1:41234 */
  url: string;
  /**
   * Origin the router reaches it at, when that differs from `url`: a router on a remote engine's host reaches the
   * container on that host's loopback, while `url` is this machine's ssh tunnel to it.
   */
  upstream?: string;
}

/** What a target cannot do, declared so the engine never pretends (and the config is refused before a run). */
export interface TargetCapabilities {
  /**
   * Traffic weights (a canary); without them only whole switches. 'approximate': the split only approximates each
   * share (a Kubernetes replica ratio), and progress says so.
   */
  weights: boolean | 'approximate';
  /**
   * Where `metrics()` comes from. 'proxy' (the default): the real requests a proxy in front of the releases sees, so
   * the engine reads the live release's baseline and tops thin windows up with probes through the public URL.
   * 'probes': the target's own steady requests to the release (nothing in front sees the users' traffic), so the
   * engine adds no probe traffic and judges green on the absolute limits.
   */
  metrics?: 'proxy' | 'probes';
  /**
   * How traffic goes back after the switch. 'switch' (the default): an instant switch back to the old release, kept
   * warm, so the engine verifies after the switch. 'redeploy': only a new rollout can go back (Argo Rollouts' `undo`),
   * so the engine verifies the candidate through its own address before the switch, and switches only when it
   * passed (src/rollout/verify-first.ts).
   */
  undo?: 'switch' | 'redeploy';
}

/**
 * The one interface the rollout engine (src/rollout/engine.ts) drives: start the candidate beside the live release,
 * tell whether it is still running, move traffic (a whole atomic switch; weights where the target has them), read a
 * release's metrics over a window, and retire a release (keep it warm, then drain and stop it). The engine owns the
 * order (kamal-proxy's): never send traffic to a release before it is healthy, swap, then drain the old one.
 */
export interface RolloutTarget {
  readonly capabilities: TargetCapabilities;
  /** Starts the release (not yet receiving traffic) and returns where it listens. */
  start(release: ReleaseMeta): Promise<RunningRelease>;
  /** Where a running release listens; null when it does not run. */
  running(id: string): Promise<RunningRelease | null>;
  /** Null while it runs (or restarts); otherwise how it ended, e.g. "exited with code 1". */
  exitStatus(id: string): Promise<string | null>;
  /**
   * The target's own readiness (optional), for a platform that knows it better than one health request (Kubernetes:
   * every replica ready, and a stuck pod fails at once). Without it the engine polls `url` + the health path.
   */
  waitReady?(release: RunningRelease, timing: HealthTiming, signal: AbortSignal): Promise<ReadyResult>;
  /**
   * Every request from now on goes to `release`; in-flight requests to the old one finish within the drain timeout.
   * May resolve with how the traffic moved when that says more than the switch (the outcome's message quotes it).
   * A TrafficError (traffic-error.ts) says whether the traffic stayed where it was or where it is cannot be told.
   */
  switchTo(release: RunningRelease, drainTimeoutMs: number): Promise<string | void>;
  /** `percent`% of requests to `release`, the rest to the live one (only when capabilities.weights). */
  setWeight(release: RunningRelease, percent: number, sticky: boolean): Promise<void>;
  /** What the release served over the last `windowMs`. */
  metrics(id: string, windowMs: number): Promise<UpstreamMetrics>;
  /** Waits for the release's in-flight requests to finish (after traffic left it). */
  drain(id: string, timeoutMs: number): Promise<void>;
  /** The live release is restarted when it crashes; others are not. */
  markLive(id: string, live: boolean): Promise<void>;
  /** Keeps a release running without traffic for `warmMs`, then drains and stops it. */
  retire(id: string, warmMs: number, drainTimeoutMs: number): Promise<void>;
  stop(id: string, timeoutMs: number): Promise<void>;
  logTail(id: string, lines: number): Promise<string[]>;
  /** Ids of every release running now (optional): lets a deploy stop leftovers of an interrupted one. */
  runningIds?(): Promise<string[]>;
  /** True when the target hosts the post-deploy guard, so the old release stays warm for the guard period too. */
  readonly hostsGuard?: boolean;
  /**
   * What serves `publicUrl` once a first release (nothing before it to return to) was stopped after failing
   * verification, as a clause: "nothing serves <url> now" when absent. A target whose address may still reach
   * something we did not start says what (Kubernetes: the Service's selector from before the deploy, and its pods).
   */
  servingAfterWithdrawal?(publicUrl: string): Promise<string>;
}

/**
 * The process half of a target with our router in front (local app processes, docker containers): starting,
 * stopping and watching releases. routerTarget() joins it with the router into a RolloutTarget.
 */
export interface ReleaseRunner extends Pick<RolloutTarget, 'start' | 'running' | 'exitStatus' | 'stop' | 'logTail' | 'runningIds' | 'hostsGuard'> {
  setActive(id: string, active: boolean): Promise<void>;
  /** Keeps a release running without traffic for `ms`, then drains and stops it (in the long-running runtime). */
  keepWarm(id: string, ms: number, drainTimeoutMs: number): Promise<void>;
}

/** How a platform-gated start ended when no traffic reached the release (or the platform may still move it there). */
export interface StartRefused {
  /** The platform's id of the release it was asked to start. */
  id: string;
  /** The failed check, e.g. `Railway Deployment FAILED (threshold SUCCESS)`. */
  check: PostCheckResult;
  /** e.g. "Railway deployment d-7 ended FAILED" or "... is still BUILDING after railway.deadline (600s)". */
  detail: string;
  /** False when the platform may still move traffic to it (a deadline, an interruption): a human must look. */
  settled: boolean;
  logTail: string[];
}

/** A switch back the platform refused or could not confirm. */
export type SwitchResult = { ok: true; live: RunningRelease } | { ok: false; reason: string };

/**
 * A target that switches whole deployments only, and does so itself: the platform starts a release and moves all
 * traffic to it once its own health check passes (Railway). It cannot run a release without traffic, so there is
 * no direct smoke before the swap and no weights (a canary is refused when the config is read); going back is a
 * switch to an earlier release, which the platform may serve as a new release of the same image.
 * The engine (src/rollout/whole-switch.ts) owns the order: start, verify, and switch back on failure.
 */
export interface WholeSwitchTarget {
  readonly capabilities: { weights: false; startsWithoutTraffic: false };
  /** The platform's name ("Railway") and what it calls a release ("Railway deployment"), for messages. */
  readonly platform: string;
  readonly kind: string;
  /** The release serving now, as the platform knows it. */
  live(): Promise<RunningRelease | null>;
  /**
   * Starts `release` and resolves once the platform moved the traffic to it. `created` is told the platform's id
   * as soon as it exists, before any wait (a killed run's recovery needs it).
   */
  start(release: ReleaseMeta, created: (id: string) => Promise<void>): Promise<RunningRelease | StartRefused>;
  /** Traffic back to release `id`, leaving `leaving`; resolves with the release serving now. */
  switchTo(id: string, leaving: string | null): Promise<SwitchResult>;
  /** Post-deployment verification of the live release, with the platform's own word on it where it has one. */
  verify(release: RunningRelease): Promise<{ ok: boolean; results: PostCheckResult[] }>;
  logTail(id: string, lines: number): Promise<string[]>;
}

export interface HealthTiming {
  path: string;
  intervalMs: number;
  /** Overall deadline for the release to become healthy. */
  deadlineMs: number;
  /** Per-check timeout. */
  checkTimeoutMs: number;
  /** Give up once the path answered only 404 for this long (default 3 s): it does not exist. */
  notFoundMs?: number;
}

export interface ReadyResult {
  ok: boolean;
  /** e.g. "GET /health answered 503 for 30s" or "exited with code 1 before it became healthy". */
  detail: string;
  elapsedMs: number;
  exited: boolean;
  /** What was waited for, when the target's own readiness says it better than the health path. */
  threshold?: string;
}
