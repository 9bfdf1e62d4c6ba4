import { startCli, waitFor } from '../cli/helpers.js';

export interface FollowingCli {
  /** Everything it printed on stdout so far. */
  output(): string;
  /** Sends GET `url` every 250 ms until the output holds `text`: a follower that starts at the log's end needs a new line. */
  requestUntil(url: string, text: string, timeoutMs: number): Promise<void>;
  waitForOutput(condition: (output: string) => boolean, timeoutMs: number): Promise<void>;
  /** Ctrl-C, and its exit code. */
  interrupt(): Promise<number | null>;
}

/** The built CLI running a command with no end of its own (`deploy logs --follow`). */
export function followCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): FollowingCli {
  const child = startCli(args, options);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output: () => out,
    async requestUntil(url, text, timeoutMs) {
      let sent = 0;
      await waitFor(() => {
        if (Date.now() - sent > 250) {
          sent = Date.now();
          void fetch(url).catch(() => undefined);
        }
        return out.includes(text);
      }, timeoutMs);
    },
    waitForOutput: (condition, timeoutMs) => waitFor(() => condition(out), timeoutMs),
    interrupt() {
      child.kill('SIGINT');
      return exited;
    },
  };
}
