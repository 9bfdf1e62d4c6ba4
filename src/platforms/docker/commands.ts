import type { Command } from '../../exec/command.js';
import { UserError } from '../../errors.js';
import { LABELS } from './names.js';

/**
 * Builders for every docker CLI call the platform makes (Kamal style): each
 * returns argv as data; containers.ts runs them through the one executor.
 * Secret values never appear in args: they travel in the docker CLI's own
 * environment (`--env NAME` without a value) or in a 0600 --env-file.
 */

export interface DockerCli {
  /** The docker binary. Default "docker". */
  file?: string;
  /** Environment for the docker CLI itself (PATH, HOME, DOCKER_HOST, SSH_AUTH_SOCK...). Default: inherit. */
  env?: Record<string, string>;
}

function docker(cli: DockerCli, args: string[], mutates: boolean, extra: Partial<Command> = {}): Command {
  const command: Command = { file: cli.file ?? 'docker', args, mutates, ...extra };
  if (cli.env && !command.env) command.env = cli.env;
  return command;
}

function labelArgs(labels: Record<string, string | null | undefined>): string[] {
  return Object.entries(labels).flatMap(([key, value]) => (value == null ? [] : ['--label', `${key}=${value}`]));
}

export function engineVersion(cli: DockerCli): Command {
  return docker(cli, ['version', '--format', '{{.Server.Version}}'], false, { timeoutMs: 15_000 });
}

export interface BuildSpec {
  contextDir: string;
  /** Path of the Dockerfile, relative to contextDir or absolute. */
  dockerfile: string;
  tag: string;
  app: string;
  release: string;
  version: string;
  commit: string | null;
  contentHash: string | null;
  timeoutMs?: number;
}

export function buildImage(cli: DockerCli, spec: BuildSpec): Command {
  return docker(
    cli,
    [
      'build',
      '--file', spec.dockerfile,
      '--tag', spec.tag,
      ...labelArgs({
        [LABELS.app]: spec.app,
        [LABELS.release]: spec.release,
        [LABELS.version]: spec.version,
        [LABELS.commit]: spec.commit,
        [LABELS.contentHash]: spec.contentHash,
      }),
      spec.contextDir,
    ],
    true,
    { cwd: spec.contextDir, timeoutMs: spec.timeoutMs ?? 30 * 60_000 },
  );
}

/** Gives a prebuilt image our own release tag, so rollback and pruning work the same as for built images. */
export function tagImage(cli: DockerCli, source: string, target: string): Command {
  return docker(cli, ['image', 'tag', source, target], true);
}

export function pullImage(cli: DockerCli, ref: string): Command {
  return docker(cli, ['image', 'pull', '--quiet', ref], true, { timeoutMs: 30 * 60_000 });
}

export function inspectNetwork(cli: DockerCli, name: string): Command {
  return docker(cli, ['network', 'inspect', '--format', '{{.Name}}', name], false, { timeoutMs: 30_000 });
}

export function inspectImage(cli: DockerCli, ref: string): Command {
  return docker(cli, ['image', 'inspect', '--format', '{{json .}}', ref], false, { timeoutMs: 30_000 });
}

export interface HealthCheckSpec {
  /** HTTP path inside the container, e.g. /health. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs?: number;
}

export interface RunSpec {
  name: string;
  image: string;
  app: string;
  environment: string;
  release: string;
  /** Port the app listens on inside the container (PORT is set to it). */
  containerPort: number;
  /** "bridge": publish on 127.0.0.1 only. "host": share the host network; containerPort must be free on the host. */
  network?: 'bridge' | 'host' | { name: string };
  /** Loopback host port to publish on (bridge). A fixed port survives restarts; without it the engine picks one. */
  hostPort?: number;
  /** Names of variables whose values are in the docker CLI's environment (Command.env). */
  envNames: string[];
  /** Values for envNames; placed in Command.env, never in args. */
  envValues: Record<string, string>;
  /** A 0600 file for variables that cannot travel in the CLI's environment. */
  envFile?: string;
  /** Non-secret variables shown on argv, e.g. RELEASE_ID. */
  plainEnv?: Record<string, string>;
  restart?: 'unless-stopped' | 'always' | `on-failure:${number}` | 'no';
  health?: HealthCheckSpec;
  /** Environment for the docker CLI itself (without app values). */
  cliEnv?: Record<string, string>;
}

/** A request target for curl and fetch: printable ASCII without spaces. Quotes, `&`, `;` and `$()` are fine. */
const HEALTH_PATH = /^\/[\x21-\x7e]*$/;

/** The container variable that carries the health URL to the health check line. */
export const HEALTH_URL_VAR = 'SHIPGATE_HEALTH_URL';

/**
 * Docker runs --health-cmd through /bin/sh inside the container, so it is a shell line by design. The line is a
 * constant: the URL (with the configured health.path) reaches it as "$SHIPGATE_HEALTH_URL", which the shell
 * expands without parsing it again, so no path can run anything. It tries node, then curl, then wget.
 */
export const HEALTH_COMMAND_LINE =
  `node -e "fetch(process.env.${HEALTH_URL_VAR}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null` +
  ` || curl -fsS -o /dev/null "$${HEALTH_URL_VAR}" 2>/dev/null || wget -q -O /dev/null "$${HEALTH_URL_VAR}"`;

/** The URL the container's health check requests; `health.path` must be a plain request target. */
export function healthUrl(port: number, path: string): string {
  if (!HEALTH_PATH.test(path)) throw new UserError('health.path: expected a path starting with / without spaces or control characters');
  return `http://127.0.0.1:${port}${path}`;
}

function durationArg(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

export function runContainer(cli: DockerCli, spec: RunSpec): Command {
  const network = spec.network ?? 'bridge';
  const args = [
    'run', '--detach',
    '--name', spec.name,
    '--restart', spec.restart ?? 'unless-stopped',
    ...labelArgs({ [LABELS.app]: spec.app, [LABELS.environment]: spec.environment, [LABELS.release]: spec.release, [LABELS.port]: String(spec.containerPort) }),
  ];
  if (network === 'bridge') args.push('--publish', `127.0.0.1:${spec.hostPort ?? ''}:${spec.containerPort}`);
  else if (network === 'host') args.push('--network', 'host');
  else args.push('--network', network.name);
  args.push('--env', `PORT=${spec.containerPort}`);
  for (const [name, value] of Object.entries(spec.plainEnv ?? {})) args.push('--env', `${name}=${value}`);
  if (spec.envFile) args.push('--env-file', spec.envFile);
  for (const name of spec.envNames) args.push('--env', name);
  if (spec.health) {
    args.push(
      '--env', `${HEALTH_URL_VAR}=${healthUrl(spec.containerPort, spec.health.path)}`,
      '--health-cmd', HEALTH_COMMAND_LINE,
      '--health-interval', durationArg(spec.health.intervalMs),
      '--health-timeout', durationArg(spec.health.timeoutMs),
      '--health-retries', String(spec.health.retries),
    );
    if (spec.health.startPeriodMs) args.push('--health-start-period', durationArg(spec.health.startPeriodMs));
  }
  args.push(spec.image);

  const base = spec.cliEnv ?? cli.env ?? stringEnv(process.env);
  const env: Record<string, string> = { ...base };
  for (const name of spec.envNames) {
    const value = spec.envValues[name];
    if (value === undefined) throw new UserError(`env.${name}: no value to pass to the container`);
    env[name] = value;
  }
  return docker(cli, args, true, { env, timeoutMs: 120_000 });
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

export function inspectContainer(cli: DockerCli, ref: string): Command {
  return docker(cli, ['container', 'inspect', ref], false, { timeoutMs: 30_000 });
}

export function containerLogs(cli: DockerCli, ref: string, tail: number): Command {
  return docker(cli, ['container', 'logs', '--tail', String(tail), ref], false, { timeoutMs: 30_000 });
}

/** Changes the restart policy of a running container: only the active release restarts when it crashes. */
export function updateRestartPolicy(cli: DockerCli, ref: string, policy: NonNullable<RunSpec['restart']>): Command {
  return docker(cli, ['container', 'update', '--restart', policy, ref], true, { timeoutMs: 30_000 });
}

export function stopContainer(cli: DockerCli, ref: string, timeoutSeconds: number): Command {
  return docker(cli, ['container', 'stop', '-t', String(Math.max(0, Math.round(timeoutSeconds))), ref], true, {
    timeoutMs: (timeoutSeconds + 30) * 1000,
  });
}

export function removeContainer(cli: DockerCli, ref: string): Command {
  return docker(cli, ['container', 'rm', '--force', '--volumes', ref], true, { timeoutMs: 60_000 });
}

/** Our containers for one app (and environment), running or not, one JSON object per line. */
export function listContainers(cli: DockerCli, app: string, environment?: string): Command {
  const filters = ['--filter', `label=${LABELS.app}=${app}`];
  if (environment) filters.push('--filter', `label=${LABELS.environment}=${environment}`);
  return docker(cli, ['container', 'ls', '--all', '--no-trunc', ...filters, '--format', '{{json .}}'], false, {
    timeoutMs: 30_000,
  });
}

/** Every tag of our image repository (built or retagged prebuilt), one JSON object per line. */
export function listImages(cli: DockerCli, repository: string): Command {
  return docker(cli, ['image', 'ls', '--filter', `reference=${repository}`, '--format', '{{json .}}'], false, {
    timeoutMs: 30_000,
  });
}

/** Removes one tag; the image itself goes when no tag or container holds it. Fails (harmlessly) while a container uses it. */
export function removeImage(cli: DockerCli, ref: string): Command {
  return docker(cli, ['image', 'rm', ref], true, { timeoutMs: 60_000 });
}

/** `linux/amd64`: the engine's OS and architecture. */
export function engineOsArch(cli: DockerCli): Command {
  return docker(cli, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}'], false, { timeoutMs: 15_000 });
}

export function buildRouterImage(cli: DockerCli, contextDir: string, tag: string): Command {
  return docker(cli, ['build', '--quiet', '--label', `${LABELS.routerImage}=1`, '--tag', tag, contextDir], true, { cwd: contextDir, timeoutMs: 30 * 60_000 });
}

export interface RouterContainerSpec {
  name: string;
  image: string;
  app: string;
  environment: string;
  /** Named volume for the router's state (routing table, settings, access log), kept across restarts. */
  volume: string;
  /** Its path inside the container; unique per environment (the keeper's lock is named after it, host-wide). */
  stateDir: string;
  port: number;
  host: string;
  runtimeEntry: string;
  /** The engine's socket on its host, mounted so the runtime can retire warm containers. */
  engineSocket: string;
}

/**
 * The environment's router on the engine's host, Kamal-style: restarted by the engine (`unless-stopped`), on the host
 * network so it serves the public port and reaches the releases published on the host's loopback.
 */
export function runRouterContainer(cli: DockerCli, spec: RouterContainerSpec): Command {
  return docker(
    cli,
    [
      'run', '--detach',
      '--name', spec.name,
      '--restart', 'unless-stopped',
      '--network', 'host',
      ...labelArgs({ [LABELS.app]: spec.app, [LABELS.router]: spec.environment }),
      '--volume', `${spec.volume}:${spec.stateDir}`,
      '--volume', `${spec.engineSocket}:/var/run/docker.sock`,
      spec.image,
      '--state-dir', spec.stateDir, '--port', String(spec.port), '--host', spec.host, '--runtime', spec.runtimeEntry,
    ],
    true,
    { timeoutMs: 120_000 },
  );
}

/** A long-running `docker exec -i` that joins its stdio to the router's control socket (src/router/control-relay.ts). */
export function execRelay(cli: DockerCli, container: string, relayEntry: string, socket: string): Command {
  return docker(cli, ['exec', '--interactive', container, 'node', relayEntry, socket], true);
}

/** Router images of every shipgate build on the engine, one JSON object per line. */
export function listRouterImages(cli: DockerCli): Command {
  return docker(cli, ['image', 'ls', '--filter', `label=${LABELS.routerImage}=1`, '--format', '{{json .}}'], false, { timeoutMs: 30_000 });
}
