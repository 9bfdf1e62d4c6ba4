import { CR, HeadError, TOKEN, addRange, connectionTokens, dropNamed, eqLower, lineEnd, parseLength, scanField, text, valueEnd, valueIs, valueStart } from './head-scan.js';

/** What the proxy needs from a client's request head: routing inputs, framing, and which lines not to forward. */
export interface RequestHead {
  method: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Byte range of the Host value in the head's buffer; -1 when absent. */
  hostStart: number;
  hostEnd: number;
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
 * Parses the request head in buf[0, length), `length` running through the blank line. Strict on framing (one
 * Content-Length value, no Content-Length with Transfer-Encoding, only `chunked`, CRLF line ends, no obs-fold, no
 * control characters), so the router and the upstream can never disagree on where a request ends.
 * Hop-by-hop fields, X-Forwarded-* and the client's own x-shipgate-flags are marked for dropping.
 */
export function parseRequestHead(buf: Buffer, length: number, userHeader: string | null): RequestHead | HeadError {
  const end = length - 2;
  let sp1 = 0;
  while (TOKEN[buf[sp1]] === 1) sp1++;
  if (sp1 === 0 || buf[sp1] !== 0x20) return new HeadError(400, 'invalid method');
  let sp2 = sp1 + 1;
  for (let c = buf[sp2]; c !== 0x20; c = buf[++sp2]) {
    if (c === CR) return new HeadError(400, 'invalid request line');
    if (c < 0x21 || c > 0x7e) return new HeadError(400, 'invalid request target');
  }
  if (sp2 === sp1 + 1) return new HeadError(400, 'invalid request line');
  const firstLineEnd = lineEnd(buf, sp2 + 1);
  if (firstLineEnd < 0) return new HeadError(400, 'invalid character in request head');
  let minor: number;
  const version = buf[sp2 + 8];
  if (firstLineEnd - sp2 === 9 && isHttp1(buf, sp2 + 1) && (version | 1) === 0x31) minor = version - 0x30;
  else if (/^HTTP\/\d\.\d$/.test(text(buf, sp2 + 1, firstLineEnd))) return new HeadError(505, 'HTTP version not supported');
  else return new HeadError(400, 'invalid HTTP version');
  const method = methodName(buf, sp1);
  if (method === 'CONNECT') return new HeadError(405, 'CONNECT is not supported');

  const drop: number[] = [];
  let hostStart = -1;
  let hostEnd = -1;
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
  let pos = firstLineEnd + 2;
  while (pos < end) {
    const colon = scanField(buf, pos);
    if (colon < 0) return new HeadError(400, 'invalid header line');
    const next = lineEnd(buf, colon + 1);
    if (next < 0) return new HeadError(400, 'invalid character in request head');
    const n = colon - pos;
    const first = buf[pos] | 0x20;
    if (userHeader !== null && n === userHeader.length && user === undefined && eqLower(buf, pos, userHeader)) user = value(buf, colon, next);
    switch (n) {
      case 4:
        if (first === 0x68 && eqLower(buf, pos, 'host')) {
          if (hostStart >= 0) return new HeadError(400, 'more than one Host header');
          hostStart = valueStart(buf, colon, next);
          hostEnd = valueEnd(buf, hostStart, next);
        }
        break;
      case 6:
        if (first === 0x63 && eqLower(buf, pos, 'cookie')) {
          const cookie_ = value(buf, colon, next);
          cookie = cookie === undefined ? cookie_ : `${cookie}; ${cookie_}`;
        }
        break;
      case 14:
        if (first === 0x63 && eqLower(buf, pos, 'content-length')) {
          const a = valueStart(buf, colon, next);
          const length_ = parseLength(buf, a, valueEnd(buf, a, next));
          if (length_ < 0 || (contentLength >= 0 && length_ !== contentLength)) return new HeadError(400, 'invalid Content-Length');
          contentLength = length_;
        }
        break;
      case 17:
        if (first === 0x74 && eqLower(buf, pos, 'transfer-encoding')) {
          const a = valueStart(buf, colon, next);
          if (chunked || !valueIs(buf, a, valueEnd(buf, a, next), 'chunked')) return new HeadError(501, 'unsupported Transfer-Encoding');
          chunked = true;
        } else if (first === 0x78 && eqLower(buf, pos, 'x-forwarded-proto')) addRange(drop, pos, next + 2);
        break;
      case 10:
        if (first === 0x63 && eqLower(buf, pos, 'connection')) {
          addRange(drop, pos, next + 2);
          const a = valueStart(buf, colon, next);
          for (const token of connectionTokens(buf, a, valueEnd(buf, a, next))) {
            if (token === 'close') close = true;
            else if (token === 'upgrade') connectionUpgrade = true;
            else if (token !== 'keep-alive') (named ??= []).push(token);
          }
        } else if (first === 0x6b && eqLower(buf, pos, 'keep-alive')) addRange(drop, pos, next + 2);
        break;
      case 15:
        if (first === 0x78 && eqLower(buf, pos, 'x-forwarded-for')) {
          addRange(drop, pos, next + 2);
          const forwarded = value(buf, colon, next);
          forwardedFor = forwardedFor === undefined ? forwarded : `${forwardedFor}, ${forwarded}`;
        }
        break;
      case 16:
        if (first === 0x78 ? eqLower(buf, pos, 'x-forwarded-host') || eqLower(buf, pos, 'x-shipgate-flags') : first === 0x70 && eqLower(buf, pos, 'proxy-connection')) {
          addRange(drop, pos, next + 2);
        }
        break;
      case 7:
        if (first === 0x75 && eqLower(buf, pos, 'upgrade')) {
          upgradeLine = pos;
          upgradeLineEnd = next + 2;
        }
        break;
      case 2:
        if (first === 0x74 && eqLower(buf, pos, 'te')) addRange(drop, pos, next + 2);
        break;
      case 19:
        if (first === 0x70 && eqLower(buf, pos, 'proxy-authorization')) addRange(drop, pos, next + 2);
        break;
    }
    pos = next + 2;
  }
  if (minor === 1 && hostStart < 0) return new HeadError(400, 'missing Host header');
  if (chunked && contentLength >= 0) return new HeadError(400, 'both Content-Length and Transfer-Encoding');
  if (chunked && minor === 0) return new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
  const upgrade = connectionUpgrade && upgradeLine >= 0;
  if (!upgrade && upgradeLine >= 0) addRange(drop, upgradeLine, upgradeLineEnd);
  if (named !== null) dropNamed(buf, firstLineEnd, end, named, drop);
  return { method, minor, hostStart, hostEnd, cookie, user, forwardedFor, contentLength, chunked, keepAlive: minor === 1 && !close, upgrade, drop, end };
}

/** A field value as a string, without the whitespace around it. */
function value(buf: Buffer, colon: number, end: number): string {
  const start = valueStart(buf, colon, end);
  return text(buf, start, valueEnd(buf, start, end));
}

/** "HTTP/1." at buf[at]. */
function isHttp1(buf: Buffer, at: number): boolean {
  return buf[at] === 0x48 && buf[at + 1] === 0x54 && buf[at + 2] === 0x54 && buf[at + 3] === 0x50 && buf[at + 4] === 0x2f && buf[at + 5] === 0x31 && buf[at + 6] === 0x2e;
}

/** The method as a string; the common ones without reading the bytes into a new string. */
function methodName(buf: Buffer, length: number): string {
  const c = buf[0];
  if (length === 3 && c === 0x47 && buf[1] === 0x45 && buf[2] === 0x54) return 'GET';
  if (length === 4 && c === 0x50 && buf[1] === 0x4f && buf[2] === 0x53 && buf[3] === 0x54) return 'POST';
  if (length === 4 && c === 0x48 && buf[1] === 0x45 && buf[2] === 0x41 && buf[3] === 0x44) return 'HEAD';
  return text(buf, 0, length);
}

function hasComma(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x2c) return true;
  return false;
}
