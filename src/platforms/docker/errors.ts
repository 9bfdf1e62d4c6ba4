/** A docker CLI call that failed. `detail` is the CLI's last stderr line (redacted by the executor). */
export class DockerCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly detail: string,
  ) {
    super(`${command} failed (exit ${exitCode}): ${detail}`);
    this.name = 'DockerCommandError';
  }
}

export type ContainerFailure = 'exited' | 'restarting' | 'unhealthy' | 'timeout' | 'build';

/** Green did not come up: it exited, kept restarting, failed its health check, or never became ready. */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: ContainerFailure,
    message: string,
    /** Last lines of `docker logs` (or of the build output). */
    readonly logTail: string[],
    readonly containerId: string | null = null,
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}
