/** Stable, documented exit codes (docs/exit-codes.md). */
export const ExitCode = {
  ok: 0,
  rolledBack: 1,
  usage: 2,
  precheckFailed: 3,
  needsHuman: 4,
  locked: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem the user can fix. The CLI prints its message on one line, without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bug or an unexpected state of ours. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
