import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ChildExit, OrchestratorProcess } from '../exec/spawn-orchestrator.js';
import { shellQuote, sshArgs, type SshOptions } from './ssh-command.js';
import { ON_HOST_VAR, type SshTarget } from './ssh-target.js';
import { BUILT } from '../package-root.js';

const TAIL_LINES = 20;

/**
 * The orchestrator on a server: `ssh host node <install>/dist/src/remote/agent.js run <runDir>`, speaking the same
 * messages as the local child, one JSON line each way. Killing this process only drops the connection: the run on
 * the host goes on to a safe end by itself (src/remote/agent.ts).
 */
export function spawnRemoteOrchestrator(target: SshTarget, ssh: SshOptions, installDir: string, runDir: string, verb: 'run' | 'attach' = 'run'): OrchestratorProcess {
  const remote = ['env', `${ON_HOST_VAR}=${target.label}`, 'node', `${installDir}/${BUILT.hostAgent}`, verb, runDir].map(shellQuote).join(' ');
  const child = spawn('ssh', [...sshArgs(target, ssh), remote], { stdio: ['pipe', 'pipe', 'pipe'] });
  const tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.trim()) tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  });
  const listeners: Array<(message: unknown) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = { invalid: line.slice(0, 200) };
    }
    for (const listener of listeners) listener(message);
  });
  child.stdin.on('error', () => undefined);
  child.on('error', () => undefined);
  const exited = new Promise<ChildExit>((resolve) => child.once('close', (code, signal) => resolve({ exitCode: code, signal })));
  return {
    pid: child.pid,
    send: (message) =>
      new Promise((resolve, reject) => {
        if (child.stdin.destroyed) return reject(new Error(`the connection to ${target.label} is closed`));
        child.stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
      }),
    onMessage: (listener) => listeners.push(listener),
    kill: (signal) => void child.kill(signal),
    exited,
    outputTail: () => [...tail],
  };
}
