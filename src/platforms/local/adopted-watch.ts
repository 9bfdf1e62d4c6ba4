import { groupAlive } from './spawn-app.js';

/**
 * Watches an app the runtime did not spawn (adopted from a runtime that died, so no 'exit' event will come): polls
 * its process group with signal 0. Resolves once nothing of the group is alive.
 */
export function watchAdopted(pid: number, pollMs: number): { gone: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  const gone = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (groupAlive(pid)) return;
      clearInterval(timer!);
      resolve();
    }, pollMs);
    timer.unref();
  });
  return { gone, cancel: () => timer && clearInterval(timer) };
}
