import { mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SshOptions } from './ssh-command.js';

/**
 * The ssh client settings of this machine: ControlMaster sockets in a private folder, and the user's own
 * ~/.ssh/config unless SHIPGATE_SSH_CONFIG names another file (CI and tests use one of their own).
 */
export function sshOptions(env: NodeJS.ProcessEnv = process.env): SshOptions {
  const controlDir = join(tmpdir(), `shipgate-ssh-${userInfo().uid}`);
  mkdirSync(controlDir, { recursive: true, mode: 0o700 });
  return { controlDir, configFile: env.SHIPGATE_SSH_CONFIG || undefined };
}
