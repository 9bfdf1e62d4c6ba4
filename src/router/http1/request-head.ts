import { CR, HeadError, TOKEN, addRange, connectionTokens, dropNamed, eqLower, eqNormal, lineEnd, parseLength, scanField, text, valueEnd, valueIs, valueStart } from './head-scan.js';

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
  /** X-Forwarded-For values the client sent, joined; only read from a trusted proxy. */
  forwardedFor: string | undefined;
  /** `Forwarded` values the client sent, joined; only read from a trusted proxy. */
  forwarded: string | undefined;
  /** Forwarding lines a trusted proxy sent and the router keeps instead of adding its own: KEPT_* bits. */
  kept: number;
  /** Offset of the CR that ends the request line: the router's own lines go right after it. */
  lineEnd: number;
  /** Length of the method: the request target starts one byte later. */
  methodEnd: number;
  /** Where the origin-form target starts: past the scheme and authority of an absolute-form target. */
  targetStart: number;
  /** An absolute-form target: its authority (hostStart/hostEnd) replaces the client's Host line. */
  absolute: boolean;
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

export const KEPT_PROTO = 1;
export const KEPT_HOST = 2;
export const KEPT_REAL_IP = 4;

/** Header lines a request head may have besides the request line (nginx answers 400 past its buffers too). */
export const DEFAULT_MAX_HEADER_LINES = 100;

/**
 * Parses the request head in buf[0, length), `length` running through the blank line. Strict on framing (one
 * Content-Length value, no Content-Length with Transfer-Encoding, only `chunked`, CRLF line ends, no obs-fold, no
 * control characters), so the router and the upstream can never disagree on where a request ends.
 * Hop-by-hop fields and the client's own x-shipgate-flags are marked for dropping, and so are the forwarding fields
 * (X-Forwarded-For/-Proto/-Host, X-Real-IP, Forwarded) unless the peer is a `trusted` proxy. Those names are matched
 * after normalisation (case, `_` for `-`), so no spelling of them reaches the app.
 */
export function parseRequestHead(
  buf: Buffer,
  length: number,
  userHeader: string | null,
  trusted = false,
  maxLines = DEFAULT_MAX_HEADER_LINES,
): RequestHead | HeadError {
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
  let targetStart = sp1 + 1;
  let absolute = false;
  let authorityStart = -1;
  let authorityEnd = -1;
  if (buf[targetStart] !== 0x2f && buf[targetStart] !== 0x2a) {
    // Absolute form (RFC 9112 §3.2.2): forwarded in origin form, the target's authority taking the Host's place.
    const scheme = schemeLength(buf, targetStart);
    if (scheme < 0) return new HeadError(400, 'invalid request target');
    authorityStart = targetStart + scheme;
    let i = authorityStart;
    while (i < sp2 && AUTHORITY[buf[i]] === 1) i++;
    if (i === authorityStart || (i < sp2 && buf[i] !== 0x2f && buf[i] !== 0x3f)) return new HeadError(400, 'invalid request target');
    authorityEnd = targetStart = i;
    absolute = true;
  }

  const drop: number[] = [];
  let hostStart = -1;
  let hostEnd = -1;
  let cookie: string | undefined;
  let user: string | undefined;
  let forwardedFor: string | undefined;
  let forwarded: string | undefined;
  let kept = 0;
  let lines = 0;
  let contentLength = -1;
  let chunked = false;
  let close = false;
  let connectionUpgrade = false;
  let upgradeLine = -1;
  let upgradeLineEnd = -1;
  let named: string[] | null = null;
  let pos = firstLineEnd + 2;
  while (pos < end) {
    if (++lines > maxLines) return new HeadError(400, 'too many header lines');
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
          if (absolute) addRange(drop, pos, next + 2);
        }
        break;
      case 9:
        if (first === 0x78 && eqNormal(buf, pos, 'x-real-ip')) {
          if (trusted && !hasUnderscore(buf, pos, colon)) kept |= KEPT_REAL_IP;
          else addRange(drop, pos, next + 2);
        } else if (first === 0x66 && eqLower(buf, pos, 'forwarded')) {
          addRange(drop, pos, next + 2);
          if (trusted) {
            const value_ = value(buf, colon, next);
            forwarded = forwarded === undefined ? value_ : `${forwarded}, ${value_}`;
          }
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
          // Node refuses a second Content-Length even when it repeats the first: so does the router.
          if (length_ < 0 || contentLength >= 0) return new HeadError(400, 'invalid Content-Length');
          contentLength = length_;
        }
        break;
      case 17:
        if (first === 0x74 && eqLower(buf, pos, 'transfer-encoding')) {
          const a = valueStart(buf, colon, next);
          if (chunked || !valueIs(buf, a, valueEnd(buf, a, next), 'chunked')) return new HeadError(501, 'unsupported Transfer-Encoding');
          chunked = true;
        } else if (first === 0x78 && eqNormal(buf, pos, 'x-forwarded-proto')) {
          if (trusted && !hasUnderscore(buf, pos, colon)) kept |= KEPT_PROTO;
          else addRange(drop, pos, next + 2);
        }
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
        if (first === 0x78 && eqNormal(buf, pos, 'x-forwarded-for')) {
          addRange(drop, pos, next + 2);
          if (trusted && !hasUnderscore(buf, pos, colon)) {
            const value_ = value(buf, colon, next);
            forwardedFor = forwardedFor === undefined ? value_ : `${forwardedFor}, ${value_}`;
          }
        }
        break;
      case 16:
        if (first === 0x78) {
          if (eqNormal(buf, pos, 'x-shipgate-flags')) addRange(drop, pos, next + 2);
          else if (eqNormal(buf, pos, 'x-forwarded-host')) {
            if (trusted && !absolute && !hasUnderscore(buf, pos, colon)) kept |= KEPT_HOST;
            else addRange(drop, pos, next + 2);
          }
        } else if (first === 0x70 && eqLower(buf, pos, 'proxy-connection')) addRange(drop, pos, next + 2);
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
  if (minor === 1 && hostStart < 0 && !absolute) return new HeadError(400, 'missing Host header');
  if (absolute) {
    hostStart = authorityStart;
    hostEnd = authorityEnd;
  }
  if (chunked && contentLength >= 0) return new HeadError(400, 'both Content-Length and Transfer-Encoding');
  if (chunked && minor === 0) return new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
  const upgrade = connectionUpgrade && upgradeLine >= 0;
  if (!upgrade && upgradeLine >= 0) addRange(drop, upgradeLine, upgradeLineEnd);
  if (named !== null) dropNamed(buf, firstLineEnd, end, named, drop);
  return {
    method,
    minor,
    hostStart,
    hostEnd,
    cookie,
    user,
    forwardedFor,
    forwarded,
    kept,
    lineEnd: firstLineEnd,
    methodEnd: sp1,
    targetStart,
    absolute,
    contentLength,
    chunked,
    keepAlive: minor === 1 && !close,
    upgrade,
    drop,
    end,
  };
}

/** The request target as the client sent it, as a string (for the access log). */
export function requestTarget(buf: Buffer, head: RequestHead): string {
  return text(buf, head.methodEnd + 1, head.lineEnd - 9);
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

function hasUnderscore(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x5f) return true;
  return false;
}

/** Bytes of an authority: reg-name, IPv4, bracketed IPv6 and a port. No userinfo. */
const AUTHORITY = new Uint8Array(256);
for (const c of '-._~!$&\'()*+,;=:[]%') AUTHORITY[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) AUTHORITY[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) AUTHORITY[c] = AUTHORITY[c + 0x20] = 1;

/** Length of "http://" or "https://" (any case) at buf[at], or -1. */
function schemeLength(buf: Buffer, at: number): number {
  if (!eqLower(buf, at, 'http')) return -1;
  let i = at + 4;
  if ((buf[i] | 0x20) === 0x73) i++;
  return buf[i] === 0x3a && buf[i + 1] === 0x2f && buf[i + 2] === 0x2f ? i + 3 - at : -1;
}
