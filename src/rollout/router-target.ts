import type { RouterClient } from '../router/client.js';
import type { ReleaseRunner, RolloutTarget } from './target.js';

/** Our router in front of releases run by `runner` (local processes, docker containers): exact weights, atomic switches. */
export function routerTarget(router: RouterClient, runner: ReleaseRunner): RolloutTarget {
  return {
    capabilities: { weights: true },
    hostsGuard: runner.hostsGuard,
    start: (release) => runner.start(release),
    running: (id) => runner.running(id),
    exitStatus: (id) => runner.exitStatus(id),
    switchTo: async (release, drainTimeoutMs) => void (await router.setActive({ id: release.id, url: release.upstream ?? release.url }, { drainTimeoutMs })),
    setWeight: async (release, percent, sticky) => void (await router.setWeights({ id: release.id, url: release.upstream ?? release.url }, percent, { sticky })),
    metrics: (id, windowMs) => router.metrics(id, windowMs),
    drain: async (id, timeoutMs) => void (await router.drain(id, timeoutMs)),
    markLive: (id, live) => runner.setActive(id, live),
    retire: (id, warmMs, drainTimeoutMs) => runner.keepWarm(id, warmMs, drainTimeoutMs),
    stop: (id, timeoutMs) => runner.stop(id, timeoutMs),
    logTail: (id, lines) => runner.logTail(id, lines),
    ...(runner.runningIds ? { runningIds: () => runner.runningIds!() } : {}),
  };
}
