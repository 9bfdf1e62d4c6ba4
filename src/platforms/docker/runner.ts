import { createServer } from 'node:net';
import type { Executor } from '../../exec/executor.js';
import type { DockerCli } from './commands.js';
import * as containers from './containers.js';
import { ContainerStartError } from './errors.js';
import { containerName, imageRef, imageTag } from './names.js';
import type { ContainerInfo, ContainerRow } from './parse.js';

/**
 * Starts and stops one release as a container: the docker counterpart of the
 * local platform's process supervisor. The blue-green flow (health, switch,
 * verification, rollback) is not here; it drives this through start/stop.
 */
export interface DockerRunnerOptions {
  executor: Executor;
  cli?: DockerCli;
  app: string;
  environment: string;
  /** Port the app listens on inside the container. Default 3000. */
  containerPort?: number;
  /** "bridge" publishes on 127.0.0.1 (default); "host" for engines started with --bridge=none. */
  network?: 'bridge' | 'host' | { name: string };
  health: { path: string; intervalMs: number; timeoutMs: number; deadlineMs: number };
  /** Dockerfile relative to the release directory. Default "Dockerfile". */
  dockerfile?: string;
  /** A prebuilt image to use instead of building. */
  image?: string;
  /** Image tags kept for rollback. Default 5. */
  keepImages?: number;
  stopTimeoutS?: number;
  logLines?: number;
  /** Polling interval while waiting for the container. Default 250 ms. */
  pollMs?: number;
}

export interface ReleaseRef {
  id: string;
  version: string;
  commit: string | null;
  contentHash: string | null;
  /** The release directory (the build context). */
  dir: string;
}

export interface RunningContainer {
  release: string;
  id: string;
  name: string;
  image: string;
  /** Where the router reaches it, e.g. http://127.0.0.1:49153 */
  url: string;
  hostPort: number;
}

export interface DockerRunner {
  /** Builds `<app>:<release>` from the release dir (or tags the prebuilt image) and returns the image reference. */
  prepare(release: ReleaseRef, signal?: AbortSignal): Promise<string>;
  /** Starts the release and resolves when it runs and passes its docker health check. On failure the container is removed and a ContainerStartError carries the log tail. */
  start(release: ReleaseRef, env: Record<string, string>, signal?: AbortSignal): Promise<RunningContainer>;
  /** Null while the container looks fine; otherwise why it failed (exited, crash-looping, unhealthy). */
  check(ref: string): Promise<{ reason: string; message: string } | null>;
  logs(ref: string, lines?: number): Promise<string[]>;
  inspect(ref: string): Promise<ContainerInfo>;
  stop(ref: string): Promise<void>;
  list(): Promise<ContainerRow[]>;
  /** Removes images beyond `keepImages`, never the protected release ids. */
  prune(protect: string[]): Promise<string[]>;
  imageFor(releaseId: string): string;
}

export function createDockerRunner(options: DockerRunnerOptions): DockerRunner {
  const deps = { executor: options.executor, cli: options.cli };
  const network = options.network ?? 'bridge';
  const basePort = options.containerPort ?? 3000;
  const logLines = options.logLines ?? 20;
  const imageFor = (releaseId: string) => imageRef(options.app, releaseId);

  async function portFor(): Promise<number> {
    // Host networking shares the host's ports, so the app must listen on a free one.
    return network === 'host' ? freeLoopbackPort() : basePort;
  }

  return {
    imageFor,

    prepare(release) {
      return containers.prepareImage(
        deps,
        {
          app: options.app,
          release: release.id,
          version: release.version,
          commit: release.commit,
          contentHash: release.contentHash,
          contextDir: release.dir,
          dockerfile: options.dockerfile ?? 'Dockerfile',
          prebuilt: options.image,
        },
        imageFor(release.id),
      );
    },

    async start(release, env, signal) {
      const containerPort = await portFor();
      const name = containerName(options.app, options.environment, release.id);
      const image = imageFor(release.id);
      const id = await containers.startContainer(deps, {
        name,
        image,
        app: options.app,
        environment: options.environment,
        release: release.id,
        containerPort,
        network,
        env,
        plainEnv: { RELEASE_ID: release.id, APP_VERSION: release.version },
        health: {
          path: options.health.path,
          intervalMs: options.health.intervalMs,
          timeoutMs: options.health.timeoutMs,
          retries: 3,
        },
        replace: true,
      });
      try {
        const info = await containers.waitUntilReady(deps, id, containerPort, {
          deadlineMs: options.health.deadlineMs,
          intervalMs: options.pollMs ?? 250,
          signal,
          logLines,
        });
        const hostPort = network === 'host' ? containerPort : info.hostPort;
        if (!hostPort) throw new ContainerStartError('exited', `container ${name} has no published port for ${containerPort}`, [], id);
        return { release: release.id, id, name, image, url: `http://127.0.0.1:${hostPort}`, hostPort };
      } catch (error) {
        await containers.stopAndRemove(deps, id, 0).catch(() => undefined);
        throw error;
      }
    },

    async check(ref) {
      const info = await containers.inspectContainer(deps, ref, basePort).catch(() => null);
      if (!info) return { reason: 'gone', message: `container ${ref} no longer exists` };
      return containers.failureOf(info);
    },

    logs: (ref, lines = logLines) => containers.logsTail(deps, ref, lines),
    inspect: (ref) => containers.inspectContainer(deps, ref, basePort),
    stop: (ref) => containers.stopAndRemove(deps, ref, options.stopTimeoutS ?? 10),
    list: () => containers.listContainers(deps, options.app, options.environment),
    prune: (protect) => containers.pruneImages(deps, options.app, options.keepImages ?? 5, protect.map(imageTag)),
  };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
