import type { Command } from '../exec/command.js';
import type { SshTarget } from './ssh-target.js';

export interface SshOptions {
  /** Folder for ControlMaster sockets (short: a unix socket path is at most 108 bytes). */
  controlDir: string;
  /** An ssh_config to use instead of ~/.ssh/config (SHIPGATE_SSH_CONFIG). */
  configFile?: string;
  connectTimeoutS?: number;
}

/**
 * The real OpenSSH client, with one shared connection per host (ControlMaster) kept 60 s after the last use.
 * Host key checking is forced on and prompts are off: an unknown host fails, it is never accepted silently.
 */
export function sshArgs(target: SshTarget, options: SshOptions): string[] {
  return [
    ...(options.configFile ? ['-F', options.configFile] : []),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `ConnectTimeout=${options.connectTimeoutS ?? 10}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${options.controlDir}/%C`,
    '-o', 'ControlPersist=60',
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.identityFile ? ['-i', target.identityFile, '-o', 'IdentitiesOnly=yes'] : []),
    ...(target.user ? ['-l', target.user] : []),
    '--',
    target.host,
  ];
}

/**
 * A command run on the host. ssh joins its words into one line for the remote shell, so each word is quoted here:
 * no config value is ever read by the remote shell as syntax.
 */
export function remoteCommand(target: SshTarget, options: SshOptions, words: string[], extra: Partial<Command> = {}): Command {
  return { file: 'ssh', args: [...sshArgs(target, options), words.map(shellQuote).join(' ')], mutates: true, ...extra };
}

/** A fixed script of ours (never user input) run by the host's /bin/sh, with arguments passed as quoted words. */
export function remoteScript(target: SshTarget, options: SshOptions, script: string, args: string[] = [], extra: Partial<Command> = {}): Command {
  return remoteCommand(target, options, ['sh', '-c', script, 'shipgate', ...args], extra);
}

export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
