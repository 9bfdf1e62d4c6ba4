import type { DeployContext } from '../../orchestrator/types.js';
import { apiFromEnv, type RailwayApi } from './api.js';
import { readServiceInstance, type ServiceInstance } from './service-instance.js';
import { resolveTarget, type RailwayTarget } from './target.js';
import { requireToken, type RailwayToken } from './token.js';
import { resolveRailway, type RailwaySettings } from './config.js';

/** What the pre-checks and the driver of one run share: one client, one lookup of ids and settings. */
export interface RailwaySession {
  token: RailwayToken;
  api: RailwayApi;
  settings: RailwaySettings;
  target(): Promise<RailwayTarget>;
  instance(): Promise<ServiceInstance>;
}

const sessions = new WeakMap<object, RailwaySession>();

/** The run's session; the token is added to the redactor before anything is sent. */
export function railwaySession(ctx: Pick<DeployContext, 'plan' | 'config' | 'executor' | 'signal' | 'emit'>): RailwaySession {
  const existing = sessions.get(ctx.plan);
  if (existing) return existing;
  const token = requireToken();
  ctx.executor.redactor.add(token.value);
  const settings = ctx.config.railway ?? resolveRailway(undefined);
  const api = apiFromEnv(token, {
    signal: ctx.signal,
    onWait: (ms, reason) => ctx.emit({ phase: 'railway', state: 'info', message: `Railway API: ${reason}, waiting ${Math.ceil(ms / 100) / 10}s` }),
  });
  let target: Promise<RailwayTarget> | null = null;
  let instance: Promise<ServiceInstance> | null = null;
  const session: RailwaySession = {
    token,
    api,
    settings,
    target: () => (target ??= resolveTarget(api, settings, ctx.config.environment)),
    instance: () => (instance ??= session.target().then((t) => readServiceInstance(api, t))),
  };
  sessions.set(ctx.plan, session);
  return session;
}
