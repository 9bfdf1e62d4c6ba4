/** The router's public surface, for the orchestrator and the platform drivers. */
export { createRouter, type Router, type RouterOptions, type RouterStatus, type SetActiveResult, type SetWeightsInput, type UpstreamStatus } from './router.js';
export { connectRouter, socketPath, type RouterClient, type ConnectOptions } from './client.js';
export { ensureRouter, daemonCommand, type EnsureRouterOptions } from './ensure.js';
export { startRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
export { runDaemon, type DaemonOptions } from './daemon-main.js';
export { ControlRegistry } from './control-registry.js';
export { ControlError } from './control-protocol.js';
export { waitHealthy, HealthCheck, checkOnce, type HealthCheckConsumer, type WaitHealthyOptions, type WaitHealthyResult } from './health-check.js';
export { stickyBucket, inCanary, STICKY_COOKIE } from './sticky.js';
export type { DrainResult } from './drain.js';
export type { RoutingTable, Upstream, CanarySplit } from './types.js';
