import { HeadError, addRange, connectionTokens, dropNamed, eqLower, lastCoding, lineEnd, parseLength, scanField, valueEnd, valueStart } from './head-scan.js';

/** What the proxy needs from an upstream's response head. */
export interface ResponseHead {
  status: number;
  /** -1 when absent (or overridden by Transfer-Encoding). */
  contentLength: number;
  chunked: boolean;
  /** A Transfer-Encoding other than chunked: the body ends when the upstream closes. */
  otherCoding: boolean;
  /** The upstream keeps the connection open after this response (HTTP/1.1 without `Connection: close`). */
  keepAlive: boolean;
  /** Sorted [start, end) byte ranges of header lines that are not relayed. */
  drop: number[];
  /** Offset of the blank line that ends the head. */
  end: number;
}

/**
 * Parses an upstream's response head in buf[0, length), `length` running through the blank line. Any malformed
 * head is a HeadError(502): the client gets a Bad Gateway and the connection to the upstream is dropped.
 */
export function parseResponseHead(buf: Buffer, length: number): ResponseHead | HeadError {
  const end = length - 2;
  if (length < 16 || !isHttp1(buf) || (buf[7] | 1) !== 0x31 || buf[8] !== 0x20) return bad('invalid status line');
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return bad('invalid status code');
    status = status * 10 + (c - 0x30);
  }
  if (status < 100) return bad('invalid status code');
  if (buf[12] !== 0x20 && buf[12] !== 0x0d) return bad('invalid status line');
  const firstLineEnd = lineEnd(buf, 12);
  if (firstLineEnd < 0) return bad('invalid character in response head');
  const minor = buf[7] - 0x30;

  const drop: number[] = [];
  let contentLength = -1;
  let lengthLine = -1;
  let lengthLineEnd = -1;
  let coding: string | undefined;
  let close = false;
  let named: string[] | null = null;
  let pos = firstLineEnd + 2;
  while (pos < end) {
    const colon = scanField(buf, pos);
    if (colon < 0) return bad('invalid header line');
    const next = lineEnd(buf, colon + 1);
    if (next < 0) return bad('invalid character in response head');
    const n = colon - pos;
    const first = buf[pos] | 0x20;
    switch (n) {
      case 14:
        if (first === 0x63 && eqLower(buf, pos, 'content-length')) {
          const a = valueStart(buf, colon, next);
          const length_ = parseLength(buf, a, valueEnd(buf, a, next));
          if (length_ < 0 || (contentLength >= 0 && length_ !== contentLength)) return bad('invalid Content-Length');
          contentLength = length_;
          if (lengthLine < 0) {
            lengthLine = pos;
            lengthLineEnd = next + 2;
          }
        }
        break;
      case 17:
        if (first === 0x74 && eqLower(buf, pos, 'transfer-encoding')) {
          const a = valueStart(buf, colon, next);
          coding = lastCoding(buf, a, valueEnd(buf, a, next));
        }
        break;
      case 10:
        if (first === 0x63 && eqLower(buf, pos, 'connection')) {
          if (status !== 101) addRange(drop, pos, next + 2);
          const a = valueStart(buf, colon, next);
          for (const token of connectionTokens(buf, a, valueEnd(buf, a, next))) {
            if (token === 'close') close = true;
            else if (token !== 'upgrade' && token !== 'keep-alive') (named ??= []).push(token);
          }
        } else if (first === 0x6b && eqLower(buf, pos, 'keep-alive')) addRange(drop, pos, next + 2);
        break;
      case 16:
        if (first === 0x70 && eqLower(buf, pos, 'proxy-connection')) addRange(drop, pos, next + 2);
        break;
      case 7:
        if (first === 0x75 && status !== 101 && eqLower(buf, pos, 'upgrade')) addRange(drop, pos, next + 2);
        break;
    }
    pos = next + 2;
  }
  const chunked = coding === 'chunked';
  if (coding !== undefined && lengthLine >= 0) {
    // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); the stale length must not reach the client.
    addRange(drop, lengthLine, lengthLineEnd);
    contentLength = -1;
  }
  if (named !== null) dropNamed(buf, firstLineEnd, end, named, drop);
  return { status, contentLength, chunked, otherCoding: coding !== undefined && !chunked, keepAlive: minor === 1 && !close, drop, end };
}

/** "HTTP/1." at the start. */
function isHttp1(buf: Buffer): boolean {
  return buf[0] === 0x48 && buf[1] === 0x54 && buf[2] === 0x54 && buf[3] === 0x50 && buf[4] === 0x2f && buf[5] === 0x31 && buf[6] === 0x2e;
}

function bad(reason: string): HeadError {
  return new HeadError(502, reason);
}
