import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../errors.js';
import type { Command } from '../exec/command.js';
import type { Executor } from '../exec/executor.js';
import { findFreePort } from '../platforms/local/free-port.js';
import { sshArgs, type SshOptions } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import type { SshTarget } from './ssh-target.js';

/**
 * This machine's way to the host's loopback: one ssh connection of our own, held for one run, to which each port is
 * added as a local forward (`ssh -O forward -L`). Nothing listens beyond 127.0.0.1 on either side.
 */
export interface SshTunnel {
  /** A local port that reaches 127.0.0.1:<remotePort> on the host; one per remote port. */
  reach(remotePort: number): Promise<number>;
  close(): Promise<void>;
}

// Our own master socket: command-line -o values come before sshArgs' defaults, and ssh keeps the first value given.
function own(socket: string): string[] {
  return ['-o', `ControlPath=${socket}`, '-o', 'ControlPersist=no'];
}

/**
 * The master, forwards added later. Its one session is `cat` reading our stdin, which we never close: if this process
 * dies, the pipe closes, the session ends and the master with it, so no orphaned connection stays open. Otherwise it
 * ends when asked (`-O exit`) or when the connection drops.
 */
export function masterArgs(target: SshTarget, options: SshOptions, socket: string): string[] {
  return ['-o', 'ControlMaster=yes', ...own(socket), '-o', 'ExitOnForwardFailure=yes', ...sshArgs(target, options), 'cat'];
}

export function checkCommand(target: SshTarget, options: SshOptions, socket: string): Command {
  return { file: 'ssh', args: [...own(socket), '-O', 'check', ...sshArgs(target, options)], mutates: false, timeoutMs: 10_000 };
}

export function forwardCommand(target: SshTarget, options: SshOptions, socket: string, localPort: number, remotePort: number): Command {
  const spec = `127.0.0.1:${localPort}:127.0.0.1:${remotePort}`;
  return { file: 'ssh', args: [...own(socket), '-O', 'forward', '-L', spec, ...sshArgs(target, options)], mutates: false, timeoutMs: 10_000 };
}

export function exitCommand(target: SshTarget, options: SshOptions, socket: string): Command {
  return { file: 'ssh', args: [...own(socket), '-O', 'exit', ...sshArgs(target, options)], mutates: false, timeoutMs: 10_000 };
}

/** Opens the connection (a UserError, exit 3, when the host cannot be reached) and returns the tunnel. */
export async function openTunnel(target: SshTarget, options: SshOptions, executor: Executor, startTimeoutMs = 20_000): Promise<SshTunnel> {
  const socket = join(options.controlDir, `t-${randomBytes(6).toString('hex')}`);
  // Spawned directly, like the router daemon: the executor waits for a command to end, and this one lives for the run.
  const master: ChildProcess = spawn('ssh', masterArgs(target, options, socket), { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  master.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  let exited: number | null = null;
  const gone = new Promise<void>((resolve) => master.once('exit', (code) => ((exited = code ?? 1), resolve())));
  master.once('error', (error) => ((stderr += error.message), (exited = 1)));

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited !== null) {
      throw new UserError(describeSshFailure(target, 255, stderr) ?? `${target.label}: ssh failed: ${stderr.trim() || `exit ${exited}`}`, ExitCode.precheckFailed);
    }
    if ((await executor.run(checkCommand(target, options, socket))).exitCode === 0) break;
    if (Date.now() > deadline) {
      master.kill();
      throw new UserError(`${target.label}: no ssh connection within ${startTimeoutMs} ms`, ExitCode.precheckFailed);
    }
    await sleep(100);
  }

  const ports = new Map<number, Promise<number>>();
  const forward = async (remotePort: number): Promise<number> => {
    // The kernel's free port may be taken before ssh binds it; then another one.
    for (let attempt = 1; ; attempt++) {
      const local = await findFreePort();
      const result = await executor.run(forwardCommand(target, options, socket, local, remotePort));
      if (result.exitCode === 0) return local;
      if (attempt >= 3 || exited !== null) throw new Error(`${target.label}: ssh could not forward a port to 127.0.0.1:${remotePort}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
    }
  };
  return {
    reach(remotePort) {
      let local = ports.get(remotePort);
      if (!local) {
        local = forward(remotePort);
        local.catch(() => ports.delete(remotePort));
        ports.set(remotePort, local);
      }
      return local;
    },
    async close() {
      if (exited !== null) return;
      await executor.run(exitCommand(target, options, socket));
      const stopped = await Promise.race([gone.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) master.kill();
    },
  };
}
