import { HeadError, addRange, connectionTokens, dropNamed, eqLower, fieldValue, hasBadBytes, isToken, parseLength } from './head-scan.js';

/** What the proxy needs from a client's request head: routing inputs, framing, and which lines not to forward. */
export interface RequestHead {
  method: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  host: string | undefined;
  cookie: string | undefined;
  /** Value of the flag table's user header, when one is configured and present. */
  user: string | undefined;
  /** X-Forwarded-For values the client sent, joined. */
  forwardedFor: string | undefined;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
  /** Connection: upgrade with an Upgrade header: relayed raw after a 101. */
  upgrade: boolean;
  /** Sorted [start, end) byte ranges of header lines that are not forwarded. */
  drop: number[];
  /** Offset of the blank line that ends the head; added headers go here. */
  end: number;
}

/**
 * Parses a request head: `head` is the latin1 text up to and including the blank line. Strict on framing (one
 * Content-Length value, no Content-Length with Transfer-Encoding, only `chunked`, CRLF line ends, no obs-fold), so
 * the router and the upstream can never disagree on where a request ends.
 * Hop-by-hop fields, X-Forwarded-* and the client's own x-shipgate-flags are marked for dropping.
 */
export function parseRequestHead(head: string, userHeader: string | null): RequestHead | HeadError {
  if (hasBadBytes(head)) return new HeadError(400, 'invalid character in request head');
  const end = head.length - 2;
  const lineEnd = head.indexOf('\r\n');
  const sp1 = head.indexOf(' ');
  if (sp1 <= 0 || sp1 > lineEnd || !isToken(head, 0, sp1)) return new HeadError(400, 'invalid method');
  const sp2 = head.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 > lineEnd || sp2 === sp1 + 1) return new HeadError(400, 'invalid request line');
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = head.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return new HeadError(400, 'invalid request target');
  }
  let minor: number;
  if (lineEnd - sp2 === 9 && head.startsWith('HTTP/1.', sp2 + 1) && (head.charCodeAt(lineEnd - 1) | 1) === 0x31) minor = head.charCodeAt(lineEnd - 1) - 0x30;
  else if (/^HTTP\/\d\.\d$/.test(head.slice(sp2 + 1, lineEnd))) return new HeadError(505, 'HTTP version not supported');
  else return new HeadError(400, 'invalid HTTP version');
  const method = head.slice(0, sp1);
  if (method === 'CONNECT') return new HeadError(405, 'CONNECT is not supported');

  const drop: number[] = [];
  let host: string | undefined;
  let cookie: string | undefined;
  let user: string | undefined;
  let forwardedFor: string | undefined;
  let contentLength = -1;
  let chunked = false;
  let close = false;
  let connectionUpgrade = false;
  let upgradeLine = -1;
  let upgradeLineEnd = -1;
  let named: string[] | null = null;
  let pos = lineEnd + 2;
  while (pos < end) {
    const next = head.indexOf('\r\n', pos);
    const colon = head.indexOf(':', pos);
    if (colon < 0 || colon > next || !isToken(head, pos, colon)) return new HeadError(400, 'invalid header line');
    const n = colon - pos;
    const first = head.charCodeAt(pos) | 0x20;
    if (userHeader !== null && n === userHeader.length && user === undefined && eqLower(head, pos, userHeader)) user = fieldValue(head, colon, next);
    switch (n) {
      case 4:
        if (first === 0x68 && eqLower(head, pos, 'host')) {
          if (host !== undefined) return new HeadError(400, 'more than one Host header');
          host = fieldValue(head, colon, next);
        }
        break;
      case 6:
        if (first === 0x63 && eqLower(head, pos, 'cookie')) {
          const value = fieldValue(head, colon, next);
          cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        }
        break;
      case 14:
        if (first === 0x63 && eqLower(head, pos, 'content-length')) {
          const length = parseLength(fieldValue(head, colon, next));
          if (length < 0 || (contentLength >= 0 && length !== contentLength)) return new HeadError(400, 'invalid Content-Length');
          contentLength = length;
        }
        break;
      case 17:
        if (first === 0x74 && eqLower(head, pos, 'transfer-encoding')) {
          if (chunked || fieldValue(head, colon, next).toLowerCase() !== 'chunked') return new HeadError(501, 'unsupported Transfer-Encoding');
          chunked = true;
        } else if (first === 0x78 && eqLower(head, pos, 'x-forwarded-proto')) addRange(drop, pos, next + 2);
        break;
      case 10:
        if (first === 0x63 && eqLower(head, pos, 'connection')) {
          addRange(drop, pos, next + 2);
          for (const token of connectionTokens(fieldValue(head, colon, next))) {
            if (token === 'close') close = true;
            else if (token === 'upgrade') connectionUpgrade = true;
            else if (token !== 'keep-alive') (named ??= []).push(token);
          }
        } else if (first === 0x6b && eqLower(head, pos, 'keep-alive')) addRange(drop, pos, next + 2);
        break;
      case 15:
        if (first === 0x78 && eqLower(head, pos, 'x-forwarded-for')) {
          addRange(drop, pos, next + 2);
          const value = fieldValue(head, colon, next);
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        }
        break;
      case 16:
        if (first === 0x78 ? eqLower(head, pos, 'x-forwarded-host') || eqLower(head, pos, 'x-shipgate-flags') : first === 0x70 && eqLower(head, pos, 'proxy-connection')) {
          addRange(drop, pos, next + 2);
        }
        break;
      case 7:
        if (first === 0x75 && eqLower(head, pos, 'upgrade')) {
          upgradeLine = pos;
          upgradeLineEnd = next + 2;
        }
        break;
      case 2:
        if (first === 0x74 && eqLower(head, pos, 'te')) addRange(drop, pos, next + 2);
        break;
      case 19:
        if (first === 0x70 && eqLower(head, pos, 'proxy-authorization')) addRange(drop, pos, next + 2);
        break;
    }
    pos = next + 2;
  }
  if (minor === 1 && host === undefined) return new HeadError(400, 'missing Host header');
  if (chunked && contentLength >= 0) return new HeadError(400, 'both Content-Length and Transfer-Encoding');
  if (chunked && minor === 0) return new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
  const upgrade = connectionUpgrade && upgradeLine >= 0;
  if (!upgrade && upgradeLine >= 0) addRange(drop, upgradeLine, upgradeLineEnd);
  if (named !== null) dropNamed(head, lineEnd, end, named, drop);
  return { method, minor, host, cookie, user, forwardedFor, contentLength, chunked, keepAlive: minor === 1 && !close, upgrade, drop, end };
}
