import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { connectRouter, type RouterClient } from '../../router/client.js';
import { ensureRouter } from '../../router/ensure.js';
import { builtFile } from '../../package-root.js';
import { reachableHost } from '../../router/reachable-host.js';
import { openTunnel } from '../../remote/ssh-tunnel.js';
import { sshOptions } from '../../remote/ssh-options.js';
import { sshEngineHost } from './docker-host.js';
import * as containers from './containers.js';
import { routerContainerName } from './names.js';
import { connectRouterContainer, ensureRouterContainer } from './router-container.js';
import { routerPort } from './settings.js';

/** Where the environment's router runs, and how this machine reaches it and the releases behind it. */
export interface RouterPlacement {
  client: RouterClient;
  /** The router's public URL as this machine reaches it (smoke tests and verification traffic). */
  publicUrl: string;
  /** A release's URL on the engine's host, as this machine reaches it (health and direct smoke). */
  reach(url: string): Promise<string>;
  /** True when the router runs as a container on a remote engine (DOCKER_HOST=ssh://). */
  remote: boolean;
}

export interface PlacementOptions {
  /** Address the router binds; default config.listen. */
  host?: string;
  /** The local runtime entry (router + containers.*). */
  daemonPath?: string;
}

/**
 * With the local engine, the router is a daemon on this machine (src/router/ensure.ts). With DOCKER_HOST=ssh://, it
 * is a container on the engine's host, and this machine reaches that host's loopback through one ssh connection of
 * its own, held for the run.
 */
export async function placeRouter(ctx: DeployContext, options: PlacementOptions = {}): Promise<RouterPlacement> {
  const { config } = ctx;
  const port = routerPort(config);
  const host = options.host ?? config.listen;
  const engineHost = sshEngineHost();
  if (!engineHost) {
    const client = await ensureRouter({
      stateDir: config.stateDir,
      port,
      host,
      daemonPath: options.daemonPath ?? builtFile('dockerRuntime'),
    });
    ctx.defer(() => client.close());
    return { client, publicUrl: `http://${reachableHost(config.listen)}:${port}`, reach: async (url) => url, remote: false };
  }
  if (config.router.tls) {
    throw new UserError(`router.tls: not available yet with DOCKER_HOST=ssh:// (the router container on ${engineHost.label} cannot read certificates from this machine)`, ExitCode.usage);
  }
  const tunnel = await openTunnel(engineHost, sshOptions(), ctx.executor);
  ctx.defer(() => tunnel.close());
  ctx.emit({ phase: 'router', state: 'info', message: `the router runs as a container on ${engineHost.label}` });
  const note = (message: string) => ctx.emit({ phase: 'router', state: 'warn', message });
  const client = await ensureRouterContainer({ executor: ctx.executor }, { app: config.app, environment: config.environment, port, host, note });
  ctx.defer(() => client.close());
  const reach = async (url: string) => {
    const remote = new URL(url);
    if (remote.hostname !== '127.0.0.1' || remote.port === '') return url;
    return `http://127.0.0.1:${await tunnel.reach(Number(remote.port))}`;
  };
  // A router on a wildcard or loopback address is reached through the tunnel; one on a given address, there.
  const routerUrl = `http://${reachableHost(host)}:${port}`;
  return { client, publicUrl: await reach(routerUrl), reach, remote: true };
}

/** A client to the environment's running router, wherever it runs; null when none runs. For status and stop. */
export async function findRouter(ctx: DeployContext): Promise<RouterClient | null> {
  if (!sshEngineHost()) return connectRouter(ctx.config.stateDir).catch(() => null);
  return connectRouterContainer({ executor: ctx.executor }, { app: ctx.config.app, environment: ctx.config.environment }).catch(() => null);
}

/**
 * Stops the environment's router gracefully (in-flight requests get the drain timeout). A router container is also
 * removed: it exits 0 when stopped, and its restart policy would start it again. Returns whether one ran.
 */
export async function stopRouter(ctx: DeployContext): Promise<boolean> {
  const { config } = ctx;
  if (sshEngineHost()) {
    const deps = { executor: ctx.executor };
    const name = routerContainerName(config.app, config.environment);
    if (!(await containers.findContainer(deps, name))) return false;
    // docker stop sends SIGTERM: the keeper stops the runtime, which lets requests finish within its grace.
    await containers.stopAndRemove(deps, name, Math.ceil(config.drainTimeoutMs / 1000) + 5);
    return true;
  }
  const client = await connectRouter(config.stateDir).catch(() => null);
  if (!client) return false;
  await client.shutdown(config.drainTimeoutMs);
  client.close();
  return true;
}
