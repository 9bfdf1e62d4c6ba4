import { HeadError, addRange, connectionTokens, dropNamed, eqLower, fieldValue, hasBadBytes, isToken, lastCoding, parseLength } from './head-scan.js';

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
 * Parses an upstream's response head (latin1, up to and including the blank line). Any malformed head is a
 * HeadError(502): the client gets a Bad Gateway and the connection to the upstream is dropped.
 */
export function parseResponseHead(head: string): ResponseHead | HeadError {
  if (hasBadBytes(head)) return bad('invalid character in response head');
  const end = head.length - 2;
  const lineEnd = head.indexOf('\r\n');
  if (lineEnd < 12 || !head.startsWith('HTTP/1.') || (head.charCodeAt(7) | 1) !== 0x31 || head.charCodeAt(8) !== 0x20) return bad('invalid status line');
  if (lineEnd > 12 && head.charCodeAt(12) !== 0x20) return bad('invalid status line');
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const c = head.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return bad('invalid status code');
    status = status * 10 + (c - 0x30);
  }
  if (status < 100) return bad('invalid status code');
  const minor = head.charCodeAt(7) - 0x30;

  const drop: number[] = [];
  let contentLength = -1;
  let lengthLine = -1;
  let lengthLineEnd = -1;
  let coding: string | undefined;
  let close = false;
  let named: string[] | null = null;
  let pos = lineEnd + 2;
  while (pos < end) {
    const next = head.indexOf('\r\n', pos);
    const colon = head.indexOf(':', pos);
    if (colon < 0 || colon > next || !isToken(head, pos, colon)) return bad('invalid header line');
    const n = colon - pos;
    const first = head.charCodeAt(pos) | 0x20;
    switch (n) {
      case 14:
        if (first === 0x63 && eqLower(head, pos, 'content-length')) {
          const length = parseLength(fieldValue(head, colon, next));
          if (length < 0 || (contentLength >= 0 && length !== contentLength)) return bad('invalid Content-Length');
          contentLength = length;
          if (lengthLine < 0) {
            lengthLine = pos;
            lengthLineEnd = next + 2;
          }
        }
        break;
      case 17:
        if (first === 0x74 && eqLower(head, pos, 'transfer-encoding')) coding = lastCoding(fieldValue(head, colon, next));
        break;
      case 10:
        if (first === 0x63 && eqLower(head, pos, 'connection')) {
          if (status !== 101) addRange(drop, pos, next + 2);
          for (const token of connectionTokens(fieldValue(head, colon, next))) {
            if (token === 'close') close = true;
            else if (token !== 'upgrade' && token !== 'keep-alive') (named ??= []).push(token);
          }
        } else if (first === 0x6b && eqLower(head, pos, 'keep-alive')) addRange(drop, pos, next + 2);
        break;
      case 16:
        if (first === 0x70 && eqLower(head, pos, 'proxy-connection')) addRange(drop, pos, next + 2);
        break;
      case 7:
        if (first === 0x75 && status !== 101 && eqLower(head, pos, 'upgrade')) addRange(drop, pos, next + 2);
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
  if (named !== null) dropNamed(head, lineEnd, end, named, drop);
  return { status, contentLength, chunked, otherCoding: coding !== undefined && !chunked, keepAlive: minor === 1 && !close, drop, end };
}

function bad(reason: string): HeadError {
  return new HeadError(502, reason);
}
