import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor } from '../../exec/executor.js';
import type { ReleaseMeta, ReleaseRunner, RunningRelease } from '../../rollout/target.js';
import { findFreePort } from '../local/free-port.js';
import type { RouterClient } from '../../router/client.js';
import type { DockerCli, HealthCheckSpec } from './commands.js';
import * as containers from './containers.js';
import { DockerCommandError } from './errors.js';
import { containerName, imageRef } from './names.js';
import type { ContainerInfo } from './parse.js';

export interface DockerReleaseRunnerOptions {
  executor: Executor;
  cli?: DockerCli;
  app: string;
  environment: string;
  /** Port the app listens on inside the container. */
  containerPort: number;
  network: 'bridge' | 'host' | { name: string };
  health: HealthCheckSpec;
  /** The app's variables (secret values); they never reach argv. */
  env: (release: ReleaseMeta) => Record<string, string>;
  /** Non-secret variables naming the release (RELEASE_ID...), passed on argv. */
  releaseEnv: (release: ReleaseMeta) => Record<string, string>;
  /** The environment runtime, which keeps blue warm and then retires it (containers.retire). */
  runtime: RouterClient | null;
  /**
   * Turns a URL on the engine's host into one this process reaches (an ssh tunnel when the engine is remote);
   * the router, on that host, keeps the original. Default: the same URL.
   */
  reach?: (url: string) => Promise<string>;
  /** How long `start` waits for `docker run` to report the container running. */
  startDeadlineMs?: number;
}

/** Where a container that stopped before publishing its port "listens": nothing answers, so health fails and exitStatus tells why. */
const NOWHERE = 'http://127.0.0.1:9';

/**
 * The docker platform's half of the blue-green flow (src/rollout/): each release is a
 * container named <app>-<env>-<release>, started from the image <app>:<release> with no restart policy;
 * the active one gets `unless-stopped`. Ids given to the flow and the router are release ids.
 */
export class DockerReleaseRunner implements ReleaseRunner {
  private readonly deps: containers.DockerDeps;

  constructor(private readonly options: DockerReleaseRunnerOptions) {
    this.deps = { executor: options.executor, cli: options.cli };
  }

  nameOf(id: string): string {
    return containerName(this.options.app, this.options.environment, id);
  }

  imageOf(id: string): string {
    return imageRef(this.options.app, id);
  }

  async start(release: ReleaseMeta): Promise<RunningRelease> {
    const { options } = this;
    const name = this.nameOf(release.id);
    // We pick the loopback port: one the engine picks may change when the container restarts after a crash,
    // and the router would lose it. Another process may take it first; then we try another.
    for (let attempt = 1; ; attempt++) {
      const free = await findFreePort();
      try {
        await containers.startContainer(this.deps, {
          name,
          image: this.imageOf(release.id),
          app: options.app,
          environment: options.environment,
          release: release.id,
          containerPort: options.network === 'host' ? free : options.containerPort,
          hostPort: options.network === 'bridge' ? free : undefined,
          network: options.network,
          env: options.env(release),
          plainEnv: options.releaseEnv(release),
          health: options.health,
          restart: 'no',
          replace: true,
        });
        break;
      } catch (error) {
        const taken = error instanceof DockerCommandError && /already (allocated|in use)|address in use/i.test(error.detail);
        if (!taken || attempt >= 3) throw error;
      }
    }
    const deadline = Date.now() + (options.startDeadlineMs ?? 30_000);
    for (;;) {
      const info = await containers.findContainer(this.deps, name);
      if (!info || (!info.running && info.status !== 'created')) return { id: release.id, url: NOWHERE };
      if (info.running && info.hostPort) return this.located(release.id, info);
      if (Date.now() > deadline) return { id: release.id, url: NOWHERE };
      await sleep(100);
    }
  }

  async running(id: string): Promise<RunningRelease | null> {
    const info = await containers.findContainer(this.deps, this.nameOf(id));
    return info && info.running && !info.restarting && info.hostPort ? this.located(id, info) : null;
  }

  private async located(id: string, info: ContainerInfo): Promise<RunningRelease> {
    const upstream = urlOf(info);
    const url = this.options.reach ? await this.options.reach(upstream) : upstream;
    return url === upstream ? { id, url } : { id, url, upstream };
  }

  async exitStatus(id: string): Promise<string | null> {
    const info = await containers.findContainer(this.deps, this.nameOf(id));
    if (!info) return 'is not running (no container)';
    if (info.running || info.restarting) return null;
    if (info.status === 'exited' || info.status === 'dead') return `exited with code ${info.exitCode}${info.oomKilled ? ' (out of memory)' : ''}`;
    return `is ${info.status}`;
  }

  async setActive(id: string, active: boolean): Promise<void> {
    const name = this.nameOf(id);
    if (!(await containers.findContainer(this.deps, name))) return;
    if (active) await this.options.runtime?.call('containers.cancelRetire', { name }).catch(() => undefined);
    await containers.setRestartPolicy(this.deps, name, active ? 'unless-stopped' : 'no');
  }

  async keepWarm(id: string, ms: number, drainTimeoutMs: number): Promise<void> {
    const name = this.nameOf(id);
    if (!this.options.runtime) {
      await containers.stopAndRemove(this.deps, name, Math.ceil(drainTimeoutMs / 1000));
      return;
    }
    await this.options.runtime.call('containers.retire', { id, name, afterMs: ms, drainTimeoutMs });
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    await this.options.runtime?.call('containers.cancelRetire', { name: this.nameOf(id) }).catch(() => undefined);
    await containers.stopAndRemove(this.deps, this.nameOf(id), Math.ceil(timeoutMs / 1000));
  }

  logTail(id: string, lines: number): Promise<string[]> {
    return containers.logsTail(this.deps, this.nameOf(id), lines);
  }

  inspect(id: string): Promise<ContainerInfo | null> {
    return containers.findContainer(this.deps, this.nameOf(id));
  }
}

function urlOf(info: ContainerInfo): string {
  return `http://127.0.0.1:${info.hostPort}`;
}
