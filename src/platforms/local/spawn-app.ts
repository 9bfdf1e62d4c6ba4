import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from '../../exec/command.js';

/**
 * The app process as data: the user's `start:` line, run through a shell (documented), in the release directory.
 * The executor runs commands to completion; a supervised app runs until stopped, so this module starts it.
 */
export function appCommand(start: string, cwd: string, env: Record<string, string>): Command {
  return { file: execSimple(start), args: [], shell: true, cwd, env, mutates: true };
}

/**
 * `exec node server.js` for a simple line, so the app replaces the shell: its exit code and signals are the app's own.
 * A line with shell operators stays as written (the whole group is still signalled on stop).
 */
export function execSimple(line: string): string {
  const trimmed = line.trim();
  if (/[;&|<>`$(){}\n]/.test(trimmed) || /^exec\s/.test(trimmed)) return trimmed;
  return `exec ${trimmed}`;
}

/**
 * Starts the command in its own process group (so stop can signal the shell and everything it started),
 * stdout and stderr appended to `logFile`, no stdin. The environment goes to the child only, never argv or disk.
 */
export function spawnApp(command: Command, logFile: string, banner: string): ChildProcess {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a', 0o600);
  try {
    writeSync(fd, `--- ${new Date().toISOString()} ${banner}\n`);
    return spawn(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      shell: command.shell ?? false,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

/** Signals the whole process group; false when it is already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
