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

/** `docker build` of a release failed; nothing was started. */
export class ImageBuildError extends Error {
  constructor(
    message: string,
    /** Last lines of the build output. */
    readonly logTail: string[],
  ) {
    super(message);
    this.name = 'ImageBuildError';
  }
}
