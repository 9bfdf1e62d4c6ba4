import type { SshTarget } from './ssh-target.js';

/**
 * One line saying why ssh could not run a command on the host, with the fix where there is a standard one.
 * ssh exits 255 for its own failures; anything else is the remote command's exit status.
 */
export function describeSshFailure(target: SshTarget, exitCode: number, stderr: string): string | null {
  if (exitCode !== 255) return null;
  const where = target.port ? `-p ${target.port} ${target.host}` : target.host;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return `${target.label}: the host key has CHANGED since it was recorded; check with the host's owner before removing the old key (ssh-keygen -R ${target.host})`;
  }
  if (/Host key verification failed|No \S+ host key is known/i.test(stderr)) {
    return `${target.label}: unknown host key; check its fingerprint, then record it: ssh-keyscan ${where} >> ~/.ssh/known_hosts`;
  }
  if (/Permission denied/i.test(stderr)) return `${target.label}: ssh login refused (${firstLine(stderr)}); check the user and the key (identityFile)`;
  if (/Could not resolve hostname/i.test(stderr)) return `${target.label}: host name not found (${firstLine(stderr)})`;
  if (/Connection refused|timed out|No route to host|Network is unreachable|Connection closed|Connection reset/i.test(stderr)) {
    return `${target.label}: the host does not answer over ssh (${firstLine(stderr)})`;
  }
  return `${target.label}: ssh failed: ${firstLine(stderr) || 'exit 255'}`;
}

function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
}
