/** One short reason for a failed HTTP request, without URLs or headers (they may carry credentials). */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `timed out after ${timeoutMs}ms`;
  if (error.name === 'AbortError') return 'aborted';
  const code = findCode(error);
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EHOSTUNREACH: 'host unreachable',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_HEADERS_TIMEOUT: `timed out after ${timeoutMs}ms`,
    UND_ERR_BODY_TIMEOUT: `timed out after ${timeoutMs}ms`,
  };
  if (code) return known[code] ? `${known[code]} (${code})` : code;
  return error.message;
}

function findCode(error: Error): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
