import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Command } from '../exec/command.js';

export interface StreamedRun {
  /** Ends the ssh client; the command on the host then sees its stdin close. */
  stop(): void;
  /** The ssh client's exit code (255: ssh itself failed), and its stderr. */
  done: Promise<{ exitCode: number; stderr: string }>;
}

/**
 * Runs a command on a host and hands over its stdout line by line as it comes, for output that has no end of its own
 * (`deploy logs --follow`). Its stdin stays open and silent: the host side reads its end as "the CLI went away".
 */
export function streamFromHost(command: Command, onLine: (line: string) => void): StreamedRun {
  const child = spawn(command.file, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', onLine);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-8_192)));
  const done = new Promise<{ exitCode: number; stderr: string }>((resolve) => {
    child.once('error', (error) => resolve({ exitCode: 255, stderr: error.message }));
    child.once('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 0 : 255), stderr }));
  });
  return {
    stop: () => {
      child.stdin.end();
      child.kill('SIGTERM');
    },
    done,
  };
}
