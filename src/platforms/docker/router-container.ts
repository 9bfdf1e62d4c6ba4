import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor } from '../../exec/executor.js';
import { ControlError } from '../../router/control-protocol.js';
import { SOCKET_FILE } from '../../router/control-protocol.js';
import { routerClientOver, type RouterClient } from '../../router/client.js';
import { checkPort } from '../../router/ensure.js';
import * as cmd from './commands.js';
import type { DockerCli } from './commands.js';
import * as containers from './containers.js';
import { DockerCommandError } from './errors.js';
import { containerName, routerContainerName } from './names.js';
import { buildId } from '../../remote/package-files.js';
import { dockerCliPath, ensureRouterImage, RELAY_ENTRY, routerImageRef, RUNTIME_ENTRY } from './router-image.js';

export interface RouterContainerOptions {
  app: string;
  environment: string;
  port: number;
  /** Address the router binds on the engine's host (config.listen). */
  host: string;
  /** The engine's socket on its host. Default /var/run/docker.sock. */
  engineSocket?: string;
  startTimeoutMs?: number;
  /** Told when the running router container is of another shipgate build than this CLI. */
  note?: (line: string) => void;
}

interface Deps {
  executor: Executor;
  cli?: DockerCli;
}

/** The router's state folder inside its container: unique per environment, because the keeper's lock is named after it. */
export function routerStateDir(app: string, environment: string): string {
  return `/var/lib/shipgate/${containerName(app, environment, 'router')}`;
}

/**
 * The environment's router as a container on the (remote) engine, started when none runs, and a control client to
 * it through `docker exec` (the engine's own connection: nothing else is opened on the host). The engine restarts the
 * container when it dies; its routing table is kept in a named volume, so it serves the same release after a restart.
 */
export async function ensureRouterContainer(deps: Deps, options: RouterContainerOptions): Promise<RouterClient> {
  const name = routerContainerName(options.app, options.environment);
  const stateDir = routerStateDir(options.app, options.environment);
  const info = await containers.findContainer(deps, name);
  if (info && (info.running || info.restarting)) {
    const wanted = routerImageRef(await buildId());
    // Replacing it would close the public port for a moment: that is the user's call, as `kamal proxy reboot` is.
    if (info.image !== wanted) options.note?.(`the router container runs ${info.image}, this CLI is ${wanted}; \`deploy stop\` and deploy again to upgrade it (the port closes in between)`);
  } else {
    if (info) await containers.stopAndRemove(deps, name, 0);
    const image = await ensureRouterImage(deps, { node: process.execPath, docker: dockerCliPath(deps.cli?.env ?? process.env) });
    const started = await deps.executor.run(
      cmd.runRouterContainer(deps.cli ?? {}, {
        name, image, app: options.app, environment: options.environment, volume: name, stateDir,
        port: options.port, host: options.host, runtimeEntry: RUNTIME_ENTRY, engineSocket: options.engineSocket ?? '/var/run/docker.sock',
      }),
    );
    if (started.exitCode !== 0) throw new DockerCommandError(`docker run ${name}`, started.exitCode, started.all.trim().split('\n').at(-1) ?? '');
  }
  const client = await connectRouterContainer(deps, options, options.startTimeoutMs ?? 30_000);
  return checkPort(client, options.port);
}

/** A client to the router container of an environment, waiting up to `waitMs` for its control socket to open. */
export async function connectRouterContainer(deps: Deps, options: Pick<RouterContainerOptions, 'app' | 'environment'>, waitMs = 0): Promise<RouterClient> {
  const name = routerContainerName(options.app, options.environment);
  const command = cmd.execRelay(deps.cli ?? {}, name, RELAY_ENTRY, `${routerStateDir(options.app, options.environment)}/${SOCKET_FILE}`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const relay = spawn(command.file, command.args, { env: command.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    relay.once('error', (error) => (stderr += error.message));
    relay.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const client = routerClientOver(Duplex.from({ readable: relay.stdout, writable: relay.stdin }), `router container ${name}`);
    try {
      await client.status();
      return client;
    } catch (error) {
      client.close();
      relay.kill();
      if (!(error instanceof ControlError) || error.code !== 'unreachable' || Date.now() > deadline) {
        const why = stderr.trim().split('\n').at(-1);
        throw new ControlError('unreachable', `the router container ${name} does not answer${why ? `: ${why}` : ''}`);
      }
      await sleep(200);
    }
  }
}
