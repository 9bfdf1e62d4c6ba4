import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Executor } from '../../exec/executor.js';
import { ExitCode, UserError } from '../../errors.js';
import { BUILT, packageRoot } from '../../package-root.js';
import { buildId, packageMembers } from '../../remote/package-files.js';
import * as cmd from './commands.js';
import { parseImageRows } from './parse.js';
import type { DockerCli } from './commands.js';

/** Where shipgate lives inside the router image. */
export const IMAGE_ROOT = '/shipgate';
export const KEEPER_ENTRY = `${IMAGE_ROOT}/${BUILT.routerKeeper}`;
export const RUNTIME_ENTRY = `${IMAGE_ROOT}/${BUILT.dockerRuntime}`;
export const RELAY_ENTRY = `${IMAGE_ROOT}/dist/src/router/control-relay.js`;

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin:/bin
WORKDIR ${IMAGE_ROOT}
ENTRYPOINT ["node", "${KEEPER_ENTRY}"]
`;

export function routerImageRef(build: string): string {
  return `shipgate-router:${build}`;
}

export interface RouterImageSources {
  /** This machine's node binary (process.execPath). */
  node: string;
  /** The docker CLI this machine runs: the runtime uses it to retire warm containers through the mounted socket. */
  docker: string;
}

/**
 * The image the router container runs, on the engine: FROM scratch with this CLI's own node binary, the docker CLI,
 * their shared libraries and this exact shipgate build (the same package a host install ships). No registry is
 * involved; the engine gets the build context over DOCKER_HOST. Cached on the engine by the build id.
 */
export async function ensureRouterImage(deps: { executor: Executor; cli?: DockerCli }, sources: RouterImageSources): Promise<string> {
  const cli = deps.cli ?? {};
  const ref = routerImageRef(await buildId());
  if ((await deps.executor.run(cmd.inspectImage(cli, ref))).exitCode === 0) return ref;
  await assertSameArchitecture(deps.executor, cli);
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-router-image-'));
  try {
    const rootfs = join(dir, 'rootfs');
    await copyWithLibraries(deps.executor, sources.node, rootfs, '/usr/bin/node');
    await copyWithLibraries(deps.executor, sources.docker, rootfs, '/usr/bin/docker');
    for (const member of await packageMembers(packageRoot())) {
      await cp(join(member.base, member.path), join(rootfs, IMAGE_ROOT, member.path), { recursive: true });
    }
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\n');
    await mkdir(join(rootfs, 'tmp'));
    await chmod(join(rootfs, 'tmp'), 0o1777);
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    const built = await deps.executor.run(cmd.buildRouterImage(cli, dir, ref));
    if (built.exitCode !== 0) {
      throw new UserError(`docker build of the router image ${ref} failed: ${built.all.trim().split('\n').at(-1) ?? `exit ${built.exitCode}`}`, ExitCode.precheckFailed);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await pruneOtherBuilds(deps.executor, cli, ref);
  return ref;
}

/** Removes router images of other shipgate builds; the engine refuses (harmlessly) those a container still runs. */
async function pruneOtherBuilds(executor: Executor, cli: DockerCli, keep: string): Promise<void> {
  const listed = await executor.run(cmd.listRouterImages(cli));
  for (const row of parseImageRows(listed.stdout)) {
    const ref = `${row.repository}:${row.tag}`;
    if (ref !== keep && row.tag !== '<none>') await executor.run(cmd.removeImage(cli, ref));
  }
}

/** The docker CLI in PATH, resolved (the image gets the file, not a link). */
export function dockerCliPath(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(':').filter(Boolean)) {
    try {
      return realpathSync(join(dir, 'docker'));
    } catch {
      // not in this folder
    }
  }
  throw new UserError('docker: the docker CLI is not in PATH', ExitCode.precheckFailed);
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** The image carries this machine's binaries, so the engine must run the same CPU architecture and Linux. */
async function assertSameArchitecture(executor: Executor, cli: DockerCli): Promise<void> {
  const result = await executor.run(cmd.engineOsArch(cli));
  const [os, arch] = result.stdout.trim().split('/');
  const mine = ARCH[process.arch] ?? process.arch;
  if (process.platform !== 'linux' || os !== 'linux' || arch !== mine) {
    throw new UserError(
      `docker: the router image is built from this machine's node (${process.platform}/${mine}), but the engine runs ${result.stdout.trim() || 'an unknown platform'}; deploy from a Linux machine of the engine's architecture`,
      ExitCode.precheckFailed,
    );
  }
}

/** Copies a binary and the shared libraries `ldd` lists for it, at the same paths, into rootfs. */
async function copyWithLibraries(executor: Executor, binary: string, rootfs: string, at: string): Promise<void> {
  await mkdir(join(rootfs, dirname(at)), { recursive: true });
  await cp(realpathSync(binary), join(rootfs, at));
  const listed = await executor.run({ file: 'ldd', args: [binary], mutates: false, timeoutMs: 30_000 });
  // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"; a static binary has none.
  for (const lib of listed.stdout.match(/\/\S+/g) ?? []) {
    await mkdir(join(rootfs, dirname(lib)), { recursive: true });
    await cp(realpathSync(lib), join(rootfs, lib), { force: true });
  }
}
