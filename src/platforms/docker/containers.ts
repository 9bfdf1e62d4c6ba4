import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from '../../exec/command.js';
import { describeCommand } from '../../exec/command.js';
import type { ExecResult, Executor } from '../../exec/executor.js';
import { ExitCode, UserError } from '../../errors.js';
import * as cmd from './commands.js';
import type { DockerCli, HealthCheckSpec } from './commands.js';
import { travelsInEnvFile, writeEnvFile } from './env-file.js';
import { ImageBuildError, DockerCommandError } from './errors.js';
import { imageRepository } from './names.js';
import type { ContainerInfo, ContainerRow } from './parse.js';
import { parseContainerRows, parseImageRows, parseInspect, selectImagesToPrune } from './parse.js';

/**
 * Container operations of the docker platform, run through the one executor.
 * DOCKER_HOST / DOCKER_CONTEXT (ssh:// included) reach the docker CLI through
 * the environment, so the same code drives a local or a remote engine.
 */
export interface DockerDeps {
  executor: Executor;
  cli?: DockerCli;
}

async function run(deps: DockerDeps, command: Command): Promise<ExecResult> {
  const result = await deps.executor.run(command);
  if (result.exitCode !== 0) {
    const lines = (result.stderr || result.all).trim().split('\n').filter(Boolean);
    const detail = lines.at(-1) ?? (result.timedOut ? 'timed out' : 'no output');
    throw new DockerCommandError(deps.executor.redactor.redact(describeCommand({ ...command, args: command.args.slice(0, 2) })), result.exitCode, detail);
  }
  return result;
}

const cliOf = (deps: DockerDeps): DockerCli => deps.cli ?? {};

/** Server version of the engine; a UserError (exit 3) naming DOCKER_HOST when none answers. */
export async function checkEngine(deps: DockerDeps): Promise<string> {
  const result = await deps.executor.run(cmd.engineVersion(cliOf(deps)));
  if (result.exitCode !== 0 || !result.stdout.trim()) {
    const host = deps.cli?.env ? deps.cli.env.DOCKER_HOST : process.env.DOCKER_HOST;
    const where = host ? `DOCKER_HOST=${host}` : 'the local socket';
    const why = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? 'no answer';
    throw new UserError(`docker: no Docker Engine answers at ${where}: ${why}`, ExitCode.precheckFailed);
  }
  return result.stdout.trim();
}

export interface ImageSource {
  app: string;
  release: string;
  version: string;
  commit: string | null;
  contentHash: string | null;
  /** Build from this context... */
  contextDir?: string;
  dockerfile?: string;
  /** ...or use this prebuilt image (pulled when not present, then tagged as ours). */
  prebuilt?: string;
  buildTimeoutMs?: number;
}

/** Builds (or tags a prebuilt image as) `<app>:<release>` and returns that reference. */
export async function prepareImage(deps: DockerDeps, source: ImageSource, ref: string): Promise<string> {
  const cli = cliOf(deps);
  if (source.prebuilt) {
    const present = await deps.executor.run(cmd.inspectImage(cli, source.prebuilt));
    if (present.exitCode !== 0) await run(deps, cmd.pullImage(cli, source.prebuilt));
    await run(deps, cmd.tagImage(cli, source.prebuilt, ref));
    return ref;
  }
  if (!source.contextDir) throw new UserError('docker.image: set a prebuilt image or keep a Dockerfile in the project');
  const result = await deps.executor.run(
    cmd.buildImage(cli, {
      contextDir: source.contextDir,
      dockerfile: source.dockerfile ?? 'Dockerfile',
      tag: ref,
      app: source.app,
      release: source.release,
      version: source.version,
      commit: source.commit,
      contentHash: source.contentHash,
      timeoutMs: source.buildTimeoutMs,
    }),
  );
  if (result.exitCode !== 0) {
    throw new ImageBuildError(`docker build of ${ref} failed (exit ${result.exitCode})`, tail(result.all, 20));
  }
  return ref;
}

/** "bridge" when the engine has its default bridge network; "host" on an engine started with --bridge=none. */
export async function defaultNetwork(deps: DockerDeps): Promise<'bridge' | 'host'> {
  return (await deps.executor.run(cmd.inspectNetwork(cliOf(deps), 'bridge'))).exitCode === 0 ? 'bridge' : 'host';
}

export async function imageExists(deps: DockerDeps, ref: string): Promise<boolean> {
  return (await deps.executor.run(cmd.inspectImage(cliOf(deps), ref))).exitCode === 0;
}

export interface StartSpec {
  name: string;
  image: string;
  app: string;
  environment: string;
  release: string;
  containerPort: number;
  network?: cmd.RunSpec['network'];
  hostPort?: number;
  /** The app's environment (secret values). Never placed on argv. */
  env: Record<string, string>;
  /** Non-secret variables, e.g. RELEASE_ID. */
  plainEnv?: Record<string, string>;
  health?: HealthCheckSpec;
  restart?: cmd.RunSpec['restart'];
  /** Remove a leftover container of the same name first (never the one serving traffic). */
  replace?: boolean;
}

/** Starts a container and returns its id. Secrets go in the CLI's environment or a 0600 env file deleted right after. */
export async function startContainer(deps: DockerDeps, spec: StartSpec): Promise<string> {
  const cli = cliOf(deps);
  deps.executor.redactor.add(...Object.values(spec.env));
  if (spec.replace) await deps.executor.run(cmd.removeContainer(cli, spec.name));
  const viaFile = Object.fromEntries(Object.entries(spec.env).filter(([name]) => travelsInEnvFile(name)));
  const viaCliEnv = Object.keys(spec.env).filter((name) => !travelsInEnvFile(name));
  const envFile = Object.keys(viaFile).length > 0 ? await writeEnvFile(viaFile) : null;
  try {
    const result = await run(
      deps,
      cmd.runContainer(cli, {
        ...spec,
        envNames: viaCliEnv,
        envValues: spec.env,
        envFile: envFile?.path,
        cliEnv: cli.env,
      }),
    );
    if (result.skipped) return `dry-run-${spec.name}`;
    return result.stdout.trim().split('\n').at(-1) ?? spec.name;
  } finally {
    await envFile?.remove();
  }
}

export async function inspectContainer(deps: DockerDeps, ref: string, containerPort?: number): Promise<ContainerInfo> {
  const result = await run(deps, cmd.inspectContainer(cliOf(deps), ref));
  return parseInspect(result.stdout, containerPort);
}

/** Like inspectContainer, but null when no such container exists. */
export async function findContainer(deps: DockerDeps, ref: string): Promise<ContainerInfo | null> {
  const result = await deps.executor.run(cmd.inspectContainer(cliOf(deps), ref));
  if (result.exitCode !== 0) {
    if (/no such (container|object)/i.test(result.all)) return null;
    throw new DockerCommandError(`docker container inspect ${ref}`, result.exitCode, lastLine(result.all));
  }
  return parseInspect(result.stdout);
}

/** Only the active release is restarted by the engine when it crashes. */
export async function setRestartPolicy(deps: DockerDeps, ref: string, policy: NonNullable<cmd.RunSpec['restart']>): Promise<void> {
  await run(deps, cmd.updateRestartPolicy(cliOf(deps), ref, policy));
}

/** The last `lines` lines of the container's output (stdout and stderr). Empty when the container is gone. */
export async function logsTail(deps: DockerDeps, ref: string, lines = 20): Promise<string[]> {
  const result = await deps.executor.run(cmd.containerLogs(cliOf(deps), ref, lines));
  if (result.exitCode !== 0) return [];
  return tail(result.all, lines);
}

/**
 * Stops (SIGTERM, then SIGKILL after stopTimeoutS) and removes a container; a missing container is fine.
 * Another remover may be at the same container (the runtime retiring a warm release while `deploy stop`
 * runs): the engine then refuses the second removal as "already in progress", and we wait for it instead.
 */
export async function stopAndRemove(deps: DockerDeps, ref: string, stopTimeoutS: number, removalWaitMs = 30_000): Promise<void> {
  const cli = cliOf(deps);
  const stopped = await deps.executor.run(cmd.stopContainer(cli, ref, stopTimeoutS));
  if (stopped.exitCode !== 0 && !gone(stopped.all) && !removalInProgress(stopped.all)) {
    throw new DockerCommandError(`docker container stop ${ref}`, stopped.exitCode, lastLine(stopped.all));
  }
  const removed = await deps.executor.run(cmd.removeContainer(cli, ref));
  if (removed.exitCode === 0 || gone(removed.all)) return;
  if (!removalInProgress(removed.all)) throw new DockerCommandError(`docker container rm ${ref}`, removed.exitCode, lastLine(removed.all));
  await untilRemoved(deps, ref, removalWaitMs);
}

async function untilRemoved(deps: DockerDeps, ref: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  while ((await findContainer(deps, ref)) !== null) {
    if (Date.now() >= deadline) throw new DockerCommandError(`docker container rm ${ref}`, 1, `another removal of the container did not finish within ${waitMs} ms`);
    await delay(50);
  }
}

const gone = (output: string): boolean => /no such container/i.test(output);
const removalInProgress = (output: string): boolean => /removal of container .* is already in progress/i.test(output);
const lastLine = (output: string): string => output.trim().split('\n').at(-1) ?? '';

/** This environment's containers (or all of the app's when environment is omitted). */
export async function listContainers(deps: DockerDeps, app: string, environment?: string): Promise<ContainerRow[]> {
  const result = await run(deps, cmd.listContainers(cliOf(deps), app, environment));
  return parseContainerRows(result.stdout);
}

/** Removes image tags of the app beyond the newest `keep`, never those in `protect`. Returns the removed references. */
export async function pruneImages(deps: DockerDeps, app: string, keep: number, protect: Iterable<string>): Promise<string[]> {
  const repository = imageRepository(app);
  const result = await run(deps, cmd.listImages(cliOf(deps), repository));
  const doomed = selectImagesToPrune(parseImageRows(result.stdout), keep, protect);
  const removed: string[] = [];
  for (const image of doomed) {
    const ref = `${image.repository}:${image.tag}`;
    const outcome = await deps.executor.run(cmd.removeImage(cliOf(deps), ref));
    if (outcome.exitCode === 0) removed.push(ref);
  }
  return removed;
}

function tail(text: string, lines: number): string[] {
  return text.replace(/\s+$/, '').split('\n').filter((line) => line !== '').slice(-lines);
}
