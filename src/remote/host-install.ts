import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../errors.js';
import type { Executor } from '../exec/executor.js';
import { packageRoot } from '../package-root.js';
import { buildId, packageMembers } from './package-files.js';
import { remoteScript, type SshOptions } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import type { SshTarget } from './ssh-target.js';

export const MIN_HOST_NODE = [20, 19] as const;

export interface HostInstall {
  home: string;
  nodeVersion: string;
  /** $HOME/.shipgate/versions/<build id> on the host. */
  installDir: string;
  /** True when this call copied shipgate to the host. */
  installed: boolean;
}

// One round trip: the host's home, its node, and whether this exact build is there.
const PROBE = 'printf "%s\\n" "$HOME"; node -p process.versions.node 2>/dev/null || echo none; test -f "$HOME/.shipgate/versions/$1/.complete" && echo present || echo absent';
// Unpack beside the final folder and rename, so a cut connection never leaves a half-installed version in use.
const UNPACK = 'set -e; d="$HOME/.shipgate/versions/$1"; t="$d.partial.$$"; rm -rf "$t"; mkdir -p "$t"; tar -xzf - -C "$t"; touch "$t/.complete"; rm -rf "$d"; mv "$t" "$d"';

/**
 * Makes sure the host runs the same shipgate build as this CLI: checks its Node version and, when the build is
 * missing, streams our own package (build + runtime dependencies) over ssh. The host needs no registry access.
 */
export async function ensureShipgate(target: SshTarget, ssh: SshOptions, executor: Executor): Promise<HostInstall> {
  const id = await buildId();
  const probe = await executor.run(remoteScript(target, ssh, PROBE, [id], { mutates: false, timeoutMs: 30_000 }));
  const sshFailure = describeSshFailure(target, probe.exitCode, probe.stderr);
  if (sshFailure) throw new UserError(sshFailure, ExitCode.precheckFailed);
  if (probe.exitCode !== 0) throw new UserError(`${target.label}: probing the host failed (exit ${probe.exitCode}): ${probe.stderr.trim().split('\n')[0] ?? ''}`, ExitCode.precheckFailed);
  const [home, nodeVersion, presence] = probe.stdout.trim().split('\n').map((line) => line.trim());
  if (!home || !nodeVersion || !presence) throw new UserError(`${target.label}: unexpected answer from the host probe`, ExitCode.precheckFailed);
  if (nodeVersion === 'none') throw new UserError(`${target.label}: node is not installed on the host (shipgate needs Node ≥ ${MIN_HOST_NODE.join('.')})`, ExitCode.precheckFailed);
  if (!nodeAtLeast(nodeVersion, MIN_HOST_NODE)) {
    throw new UserError(`${target.label}: the host has Node ${nodeVersion}; shipgate needs Node ≥ ${MIN_HOST_NODE.join('.')}`, ExitCode.precheckFailed);
  }
  const installDir = `${home}/.shipgate/versions/${id}`;
  if (presence === 'present') return { home, nodeVersion, installDir, installed: false };

  const dir = await mkdtemp(join(tmpdir(), 'shipgate-pkg-'));
  try {
    const archive = join(dir, 'shipgate.tgz');
    const members = await packageMembers(packageRoot());
    const tarArgs = ['-czf', archive];
    for (const member of members) tarArgs.push('-C', member.base, member.path);
    const packed = await executor.run({ file: 'tar', args: tarArgs, mutates: false, timeoutMs: 120_000 });
    if (packed.exitCode !== 0) throw new Error(`packing shipgate for ${target.label} failed: ${packed.stderr.trim()}`);
    const unpacked = await executor.run(remoteScript(target, ssh, UNPACK, [id], { inputFile: archive, timeoutMs: 300_000 }));
    const failure = describeSshFailure(target, unpacked.exitCode, unpacked.stderr);
    if (failure) throw new UserError(failure, ExitCode.precheckFailed);
    if (unpacked.exitCode !== 0) throw new UserError(`${target.label}: installing shipgate on the host failed: ${unpacked.stderr.trim().split('\n')[0] ?? ''}`, ExitCode.precheckFailed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { home, nodeVersion, installDir, installed: true };
}

export function nodeAtLeast(version: string, minimum: readonly [number, number]): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}
