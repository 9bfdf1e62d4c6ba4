import { PLATFORMS, platformSpec } from '../../platforms/registry.js';
import { parseDuration } from '../../config/duration.js';
import { assertEnvironmentName } from '../../config/env-name.js';
import { resolveEnvironment } from '../../config/resolve.js';
import type { ResolvedEnvironment } from '../../config/types.js';
import { ExitCode, UserError } from '../../errors.js';
import type { GateState } from '../../router/gate.js';
import { DEFAULT_MAINTENANCE_MESSAGE } from '../../router/gate.js';
import type { RouterClient } from '../../router/client.js';
import type { CliOptions } from '../options.js';

export interface TrafficCliOptions extends CliOptions {
  /** `deploy pause --max-wait 30s`: how long one request may wait before it gets 504. */
  maxWait?: string;
  /** `deploy maintenance --message "…"`. */
  message?: string;
}

/** `deploy pause <env>`: new requests wait (each up to --max-wait, default 30s, then 504) until `deploy resume <env>`. */
export async function pauseCommand(options: TrafficCliOptions, environment = ''): Promise<number> {
  const failAfterMs = parseDuration(options.maxWait ?? '30s');
  if (failAfterMs === null || failAfterMs < 1 || failAfterMs > 3_600_000) throw new UserError('--max-wait: expected a duration like "30s", at most 1h');
  const { config, client } = await routerOf(options, environment, 'pause');
  try {
    const state = await client.call<GateState>('router.pause', { failAfterMs });
    report(options, config, state, `${environment}: paused; new requests wait up to ${options.maxWait ?? '30s'}, then get 504. \`deploy resume ${environment}\` lets them through.`);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

/** `deploy maintenance <env> [--message]`: every request gets 503 with a maintenance page until `deploy resume <env>`. */
export async function maintenanceCommand(options: TrafficCliOptions, environment = ''): Promise<number> {
  const message = options.message ?? DEFAULT_MAINTENANCE_MESSAGE;
  if (message.length > 2000) throw new UserError('--message: at most 2000 characters');
  const { config, client } = await routerOf(options, environment, 'maintenance');
  try {
    const state = await client.call<GateState>('router.maintenance', { message });
    report(options, config, state, `${environment}: in maintenance; every request gets 503 and the page. \`deploy resume ${environment}\` ends it.`);
  } finally {
    client.close();
  }
  return ExitCode.ok;
}

/**
 * Ends a pause or maintenance on the environment's router, if one runs; returns what was ended (null: nothing was).
 * `deploy resume` calls it.
 */
export async function endPauseOrMaintenance(stateDir: string): Promise<GateState | null> {
  const { connectRouter } = await import('../../router/client.js');
  const client = await connectRouter(stateDir).catch(() => null);
  if (client === null) return null;
  try {
    return await client.call<GateState | null>('router.resume');
  } finally {
    client.close();
  }
}

async function routerOf(options: CliOptions, environment: string, verb: string): Promise<{ config: ResolvedEnvironment; client: RouterClient }> {
  assertEnvironmentName(environment);
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config });
  if (!platformSpec(config.platform).capabilities.ownRouter) {
    const routed = PLATFORMS.filter((p) => p.capabilities.ownRouter).map((p) => p.name).join(' and ');
    throw new UserError(`deploy ${verb}: platform ${config.platform} has no shipgate router in front of it; only ${routed} do`, ExitCode.usage);
  }
  const { connectRouter } = await import('../../router/client.js');
  const client = await connectRouter(config.stateDir).catch(() => null);
  if (client === null) throw new UserError(`deploy ${verb}: no router runs for ${environment}; deploy it first (nothing changed)`, ExitCode.usage);
  return { config, client };
}

function report(options: CliOptions, config: ResolvedEnvironment, state: GateState, text: string): void {
  if (options.json) process.stdout.write(`${JSON.stringify({ environment: config.environment, ...state })}\n`);
  else process.stdout.write(`${text}\n`);
}
