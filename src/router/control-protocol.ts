/** Wire format of the control socket: one JSON object per line in each direction, matched by `id`. */
export interface ControlRequest {
  id: number;
  method: string;
  params?: unknown;
}

export type ControlErrorCode = 'invalid_request' | 'unknown_method' | 'invalid_params' | 'rejected' | 'internal';

export interface ControlResponse {
  id: number;
  result?: unknown;
  /** `exitCode`: the documented exit code of a refusal (a UserError's), so a caller can pass it on. */
  error?: { code: ControlErrorCode; message: string; exitCode?: number };
}

/** A control call the router refused or could not complete. `code` says which; the message names the field. */
export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode | 'unreachable',
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const SOCKET_FILE = 'router.sock';
