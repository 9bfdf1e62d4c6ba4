/**
 * What the blue-green flow needs from a platform to run one release: the local platform runs app processes
 * through the runtime's supervisor; another platform (e.g. docker) can run containers behind the same flow.
 */
export interface ReleaseMeta {
  id: string;
  version: string;
  commit: string | null;
  contentHash: string | null;
}

export interface RunningRelease {
  id: string;
  /** Loopback origin the router sends traffic to, e.g. http://127.0.0.1:41234 */
  url: string;
}

export interface ReleaseRunner {
  /** Starts the release (not yet receiving traffic) and returns where it listens. */
  start(release: ReleaseMeta): Promise<RunningRelease>;
  /** Where a running release listens; null when it does not run. */
  running(id: string): Promise<RunningRelease | null>;
  /** Null while it runs (or restarts); otherwise how it ended, e.g. "exited with code 1". */
  exitStatus(id: string): Promise<string | null>;
  /** The active release is restarted when it crashes; others are not. */
  setActive(id: string, active: boolean): Promise<void>;
  /** Keeps a release running without traffic for `ms`, then drains and stops it (in the long-running runtime). */
  keepWarm(id: string, ms: number, drainTimeoutMs: number): Promise<void>;
  stop(id: string, timeoutMs: number): Promise<void>;
  logTail(id: string, lines: number): Promise<string[]>;
  /** Ids of every release running now (optional): lets a deploy stop leftovers of an interrupted one. */
  runningIds?(): Promise<string[]>;
  /** True when the runtime hosts the post-deploy guard, so blue must stay warm for the guard period too. */
  readonly hostsGuard?: boolean;
}
