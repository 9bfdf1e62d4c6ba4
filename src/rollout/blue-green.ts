import type { PostCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import { runSmoke, smokeCheckResult } from '../verify/smoke.js';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { MAX_WINDOW_MS } from '../contracts/metrics.js';
import { readBaseline } from '../verify/baseline.js';
import { generateProbeTraffic } from '../verify/probe.js';
import { probePaths, verifyAfterSwitch } from '../verify/post-deploy.js';
import { measureSideBySide } from '../verify/side-by-side.js';
import { describeVerification, verificationReport } from '../verify/report.js';
import { requiredSamples } from '../verify/thresholds.js';
import { keepInconclusive } from './inconclusive.js';
import { describeFailure, failedBeforeSwitch, releaseOf } from './outcome.js';
import type { RunningRelease } from './target.js';
import { slotFor, upstreamUrl } from './slots.js';
import { switchBack } from './switch-back.js';
import { recordSwitch } from './switched.js';
import { startingPoint } from './live.js';
import type { FlowTiming } from './timing.js';
import type { RolloutInput } from './types.js';
import { healthFailure, targetReady } from './wait-ready.js';
import { TrafficError } from './traffic-error.js';
import { warmPeriodMs } from '../guard/period.js';

/**
 * The blue-green rollout (kamal-proxy's order): start green beside blue, wait for its health, smoke it directly,
 * switch the router, verify over the watch window, and switch back to the warm blue when any check fails.
 * Blue is never touched before the switch; a failure before it leaves blue exactly as it was.
 */
export async function deployBlueGreen(input: RolloutInput): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  const { before, live: blue, timing } = await startingPoint(ctx, target, input.timing);
  const blueId = blue?.id ?? null;

  await stopLeftovers(input, before.previous?.release ?? null, blueId, timing.stopTimeoutMs);

  await ctx.journal?.phase('green-starting', { release: release.id });
  ctx.emit({ phase: 'start', state: 'start', message: `starting green ${release.id}` });
  // Blue's baseline probes wait on the network while green's start waits on its app, so they run side by side; the
  // read just before the switch tops up whatever they did not cover (a slow start, probes a router did not count).
  const probing = blue ? probeBlueEarly(input, blue.id, timing) : null;
  let started: Awaited<ReturnType<typeof startGreen>>;
  try {
    started = await startGreen(input, timing, blueId);
  } catch (error) {
    await probing?.cancel();
    throw error;
  }
  if ('outcome' in started) {
    await probing?.cancel();
    return started.outcome;
  }
  const green = started.green;

  // Blue's own figures over the window before the switch: what green is judged against.
  await probing?.done;
  const baseline = blue ? await blueBaseline(input, blue.id, timing) : null;
  await ctx.journal?.phase('switching', { switched: { to: green.id, from: blueId } });
  ctx.step('switch');
  try {
    await target.switchTo(green, config.drainTimeoutMs);
  } catch (error) {
    return switchFailed(input, green, blueId, error);
  }
  await recordSwitch(input, green, blue, before.active);
  ctx.emit({ phase: 'switch', state: 'ok', message: `traffic on green ${green.id}${blue ? ` (blue ${blue.id} kept warm)` : ''}` });

  await ctx.journal?.phase('verifying');
  ctx.step('verify');
  const verification = await verify(input, green, timing, baseline, blue);
  const report = verificationReport(verification, config.verify.onInconclusive, requiredSamples(config.verify.minRequests), blue ? `${blue.id} over the ${Math.round(config.verify.windowMs / 1000)}s before the switch` : null);
  // Warm at least as long as the post-deploy guard watches, so a breach can switch back instantly.
  const warmMs = target.hostsGuard ? warmPeriodMs(config.keepWarmMs, config.guardMs) : config.keepWarmMs;
  if (verification.ok) {
    ctx.emit({ phase: 'verify', state: 'ok', message: 'post-deployment verification passed' });
    ctx.step('retire');
    if (blue) await target.retire(blue.id, warmMs, config.drainTimeoutMs);
    await input.afterSuccess?.(green.id, blueId).catch((error: unknown) => ctx.log(`after-success step failed: ${String(error)}`));
    return { status: 'success', release: releaseOf(release), previousRelease: blueId, post: verification.results, rollback: { performed: false, reason: null }, verified: true, verification: report };
  }
  if (verification.outcome === 'inconclusive' && config.verify.onInconclusive !== 'rollback' && !ctx.signal.aborted) {
    return keepInconclusive(input, green, blue, verification, report, warmMs);
  }

  const failed =
    verification.outcome === 'inconclusive' && !ctx.signal.aborted
      ? { name: 'Verification', ok: false, inconclusive: true, value: describeVerification(report), threshold: 'enough requests to tell' }
      : (verification.results.find((r) => !r.ok) ?? { name: 'Verification', ok: false, value: ctx.signal.aborted ? 'interrupted' : 'no result', threshold: 'passed' });
  await ctx.journal?.phase('rolling-back');
  ctx.emit({ phase: 'verify', state: 'fail', message: describeFailure(failed) });
  const tail = await target.logTail(green.id, 20).catch(() => []);
  if (!blue || !before.active) return { ...(await firstReleaseFailed(input, green, failed, verification.results, tail, timing.stopTimeoutMs)), verification: report };
  return { ...(await switchBack({ ...input, green, blue, blueSlot: before.active, previousSlot: before.previous, failed, post: verification.results, logTail: tail, timing })), verification: report };
}

/** The baseline's probes sent while green starts; `cancel` stops them when green will not be switched to. */
function probeBlueEarly(input: RolloutInput, blueId: string, timing: FlowTiming): { done: Promise<void>; cancel(): Promise<void> } {
  const controller = new AbortController();
  const done = blueBaseline(input, blueId, timing, AbortSignal.any([input.ctx.signal, controller.signal])).then(() => undefined);
  return {
    done,
    cancel: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Blue over the last window, topped up with probes through the public URL (still blue's) when it served too little. */
async function blueBaseline(input: RolloutInput, blueId: string, timing: FlowTiming, signal = input.ctx.signal): Promise<UpstreamMetrics | null> {
  const { ctx, target } = input;
  // The target's figures are its own probes of the release: there is no live traffic of blue's to read.
  if (target.capabilities.metrics === 'probes') return null;
  const verify = ctx.config.verify;
  const paths = verify.probe ? probePaths(verify.smoke) : [];
  return readBaseline({
    read: () => target.metrics(blueId, Math.min(Math.max(1_000, verify.windowMs), MAX_WINDOW_MS)),
    needed: requiredSamples(verify.minRequests),
    probe: paths.length
      ? (count, probeSignal) => generateProbeTraffic(input.publicUrl, paths, { count, concurrency: 4, deadlineMs: verify.windowMs, requestTimeoutMs: timing.requestTimeoutMs, signal: probeSignal })
      : null,
    signal,
  }).catch((error: unknown) => {
    ctx.log(`blue's figures are unreadable (${String(error)}); green is judged on the absolute limits only`);
    return null;
  });
}

/** Pairs of requests sent to blue and green side by side to confirm a latency failure (src/verify/compare/confirm.ts). */
const SIDE_BY_SIDE_PAIRS = 50;

export async function verify(input: RolloutInput, green: RunningRelease, timing: FlowTiming, baseline: UpstreamMetrics | null, blue: RunningRelease | null = null) {
  const { ctx, target } = input;
  const config = ctx.config;
  const switchedAt = ctx.clock.now();
  const database = config.verify.database
    ? { target: config.verify.database, intervalMs: timing.databaseIntervalMs, healthUrl: new URL(config.health.path, green.url).toString(), cwd: config.projectRoot, projectRoot: config.projectRoot }
    : null;
  return verifyAfterSwitch({
    publicUrl: input.publicUrl,
    smoke: config.verify.smoke,
    thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests: config.verify.minRequests },
    windowMs: config.verify.windowMs,
    extendMs: config.verify.extendMs,
    baseline,
    probe: config.verify.probe && target.capabilities.metrics !== 'probes' ? undefined : false,
    confirmLatency:
      baseline && blue && config.verify.probe
        ? () =>
            measureSideBySide(blue.url, green.url, probePaths(config.verify.smoke), {
              pairs: SIDE_BY_SIDE_PAIRS,
              deadlineMs: Math.max(5_000, config.verify.windowMs),
              requestTimeoutMs: timing.requestTimeoutMs,
              signal: ctx.signal,
            })
        : undefined,
    tickMs: timing.tickMs,
    requestTimeoutMs: timing.requestTimeoutMs,
    // The router keeps one-second buckets; green got no routed traffic before the switch.
    readMetrics: () => target.metrics(green.id, Math.max(1_000, Math.ceil(ctx.clock.now() - switchedAt) + 1_000)),
    database,
    clock: ctx.clock,
    signal: ctx.signal,
  });
}

/** No blue to return to: stop green and say plainly what serves the environment's address now (the target's word). */
async function firstReleaseFailed(
  input: RolloutInput,
  green: RunningRelease,
  failed: PostCheckResult,
  post: PostCheckResult[],
  logTail: string[],
  stopTimeoutMs: number,
): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  await target.stop(green.id, stopTimeoutMs);
  await ctx.state.update((state) => ({ ...state, active: state.active ? { ...state.active, running: false } : null }));
  const url = upstreamUrl(slotFor(green));
  const serving =
    (await target.servingAfterWithdrawal?.(ctx.config.url).catch((error: unknown) => `what serves ${ctx.config.url} now could not be told (${String(error)})`)) ??
    `nothing serves ${ctx.config.url} now`;
  return {
    status: 'failed',
    exitCode: ExitCode.rolledBack,
    release: releaseOf(release),
    previousRelease: null,
    post,
    rollback: { performed: false, reason: describeFailure(failed) },
    message: `${describeFailure(failed)}; there was no previous release to return to, so ${release.id} (${url}) was stopped and ${serving}`,
    logTail,
    verified: false,
  };
}

/**
 * The router refused or did not answer the switch. Green is stopped; where traffic is cannot be known from here.
 * A target that knows more says so with a TrafficError: traffic unchanged (green stopped, exit 1), or unknown
 * (nothing touched, exit 4), in its own words.
 */
export async function switchFailed(input: RolloutInput, green: RunningRelease, blueId: string | null, error: unknown): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  if (error instanceof TrafficError) {
    const unchanged = error.traffic === 'unchanged';
    if (unchanged) await target.stop(green.id, 10_000).catch(() => undefined);
    ctx.emit({ phase: 'switch', state: 'fail', message: error.message });
    return {
      status: 'failed',
      exitCode: unchanged ? ExitCode.rolledBack : ExitCode.needsHuman,
      release: releaseOf(release),
      previousRelease: blueId,
      post: [error.check],
      rollback: { performed: false, reason: error.reason },
      message: error.message,
      verified: false,
    };
  }
  const reason = error instanceof Error ? error.message : String(error);
  await target.stop(green.id, 10_000).catch(() => undefined);
  const message = `switching the router to ${green.id} failed (${reason}); green was stopped. Traffic should still be on ${blueId ?? 'nothing'}: check \`deploy status ${ctx.config.environment}\``;
  ctx.emit({ phase: 'switch', state: 'fail', message });
  return {
    status: 'failed',
    exitCode: ExitCode.needsHuman,
    release: releaseOf(release),
    previousRelease: blueId,
    post: [{ name: 'Switch', ok: false, value: reason, threshold: 'router switched' }],
    rollback: { performed: false, reason: `switch failed: ${reason}` },
    message,
    verified: false,
  };
}

/**
 * Starts green, waits for its health and smokes it directly. Green never had traffic here, so any failure, and
 * any exception (e.g. the CLI went away), stops it: an interrupted deploy leaves no stray process behind.
 */
export async function startGreen(input: RolloutInput, timing: FlowTiming, blueId: string | null, label = 'green'): Promise<{ green: RunningRelease; smoke: PostCheckResult } | { outcome: DeployOutcome }> {
  const { ctx, target, release } = input;
  const config = ctx.config;
  ctx.step('start');
  const green = await target.start(release);
  await ctx.journal?.phase('green-started', { green: { id: green.id, pid: null, port: Number(new URL(green.url).port) || null } });
  const fail = async (check: PostCheckResult): Promise<{ outcome: DeployOutcome }> => {
    const tail = await target.logTail(green.id, 20).catch(() => []);
    await target.stop(green.id, timing.stopTimeoutMs);
    return { outcome: failedBeforeSwitch(release, blueId, check, tail) };
  };
  try {
    // Never traffic to a release that is not healthy: it must answer its health path, then pass a direct smoke test.
    const ready = await targetReady(target, green, timing.health, ctx.signal);
    if (!ready.ok) {
      ctx.emit({ phase: 'health', state: 'fail', message: `${label} ${ready.detail}` });
      return await fail(healthFailure(ready, timing.health));
    }
    ctx.emit({ phase: 'health', state: 'ok', message: `${label} ${ready.detail}` });
    ctx.step('smoke');
    const smoke = smokeCheckResult(await runSmoke(green.url, config.verify.smoke, { timeoutMs: timing.requestTimeoutMs, signal: ctx.signal }), `Smoke Tests (${label})`);
    if (!smoke.ok) {
      ctx.emit({ phase: 'smoke', state: 'fail', message: `${label} smoke: ${smoke.value}` });
      return await fail(smoke);
    }
    ctx.emit({ phase: 'smoke', state: 'ok', message: `${label} smoke: ${smoke.value}` });
    return { green, smoke };
  } catch (error) {
    await target.stop(green.id, timing.stopTimeoutMs).catch(() => undefined);
    throw error;
  }
}

/**
 * Before green starts: the release kept warm since the last deploy stops ("warm until the next deploy"), and so
 * does anything else running that is not blue, e.g. a green left by a deploy that was killed.
 */
async function stopLeftovers(input: RolloutInput, previousId: string | null, blueId: string | null, stopTimeoutMs: number): Promise<void> {
  const { ctx, target } = input;
  const candidates = new Set<string>(target.runningIds ? await target.runningIds().catch(() => []) : []);
  if (previousId && (await target.running(previousId).catch(() => null))) candidates.add(previousId);
  candidates.delete(blueId ?? '');
  for (const id of candidates) {
    ctx.log(id === previousId ? `stopping ${id}, kept warm since the last deploy` : `stopping ${id}, left running by an interrupted deploy`);
    await target.stop(id, stopTimeoutMs);
  }
  if (previousId && previousId !== blueId) {
    await ctx.state.update((state) => ({ ...state, previous: state.previous ? { ...state.previous, running: false } : null }));
  }
}
