import { processIdentity } from '../../exec/process-liveness.js';

/**
 * Watches an app the runtime did not spawn (adopted from a runtime that died, so no 'exit' event will come): polls
 * its /proc entry. Resolves once the process is no longer the one adopted: gone, a zombie (its parent died, so only
 * init can reap it, maybe never), or its pid given to another process.
 */
export function watchAdopted(pid: number, identity: string, pollMs: number): { gone: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  const gone = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (processIdentity(pid) === identity) return;
      clearInterval(timer!);
      resolve();
    }, pollMs);
    timer.unref();
  });
  return { gone, cancel: () => timer && clearInterval(timer) };
}
