/** Answers the router gives itself, as ready-made bytes. */

const REASONS: Record<number, string> = {
  308: 'Permanent Redirect',
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** A short plain-text answer. `close` adds `connection: close`; the caller then ends the connection. */
export function plainResponse(status: number, body: string, close: boolean, extra = ''): Buffer {
  const text = `${body}\n`;
  return Buffer.from(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\n${extra}${close ? 'connection: close\r\n' : ''}\r\n${text}`,
    'latin1',
  );
}

export const BAD_GATEWAY = plainResponse(502, 'Bad Gateway', false);
export const BAD_GATEWAY_CLOSE = plainResponse(502, 'Bad Gateway', true);
export const NO_RELEASE = plainResponse(503, 'No release is active', false, 'retry-after: 1\r\n');
export const NO_RELEASE_CLOSE = plainResponse(503, 'No release is active', true, 'retry-after: 1\r\n');
export const TOO_MANY_CONNECTIONS = plainResponse(503, 'Too many connections', true, 'retry-after: 1\r\n');
