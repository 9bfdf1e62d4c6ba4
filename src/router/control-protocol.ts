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
  error?: { code: ControlErrorCode; message: string };
}

/** A control call the router refused or could not complete. `code` says which; the message names the field. */
export class ControlError extends Error {
  constructor(
    readonly code: ControlErrorCode | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const SOCKET_FILE = 'router.sock';
