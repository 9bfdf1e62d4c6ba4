/** Helpers shared by the request and response head parsers. Heads are latin1 strings: one char per byte. */

/** A head the proxy refuses; `status` is what the client gets (or 502 for an upstream's head). */
export class HeadError {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

export const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = TOKEN[c + 0x20] = 1;

/** Control characters other than HTAB, or a CR or LF that is not part of a CRLF pair. (A loop: 8× a regex.) */
export function hasBadBytes(head: string): boolean {
  const length = head.length;
  for (let i = 0; i < length; i++) {
    const c = head.charCodeAt(i);
    if (c >= 0x20) {
      if (c === 0x7f) return true;
    } else if (c === 0x0d) {
      if (head.charCodeAt(++i) !== 0x0a) return true;
    } else if (c !== 0x09) return true;
  }
  return false;
}

/** RFC 9110 token: methods and field names. */
export function isToken(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

/**
 * Case-insensitive match of s[start, start + name.length) against a lowercase name made of letters, digits and '-'.
 * Safe only on text already checked to be a token.
 */
export function eqLower(s: string, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if ((s.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/** The field value between `colon` and the line end, without optional whitespace (SP, HTAB) around it. */
export function fieldValue(s: string, colon: number, lineEnd: number): string {
  let a = colon + 1;
  let b = lineEnd;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

/** Content-Length: digits only, at most 15 of them. -2 when invalid. */
export function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -2;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -2;
  }
  return Number(value);
}

const KEEP_ALIVE: readonly string[] = ['keep-alive'];
const CLOSE: readonly string[] = ['close'];
const UPGRADE: readonly string[] = ['upgrade'];

/** Connection header tokens, lowercased. The usual single-token values skip the split. */
export function connectionTokens(value: string): readonly string[] {
  const lower = value.toLowerCase();
  if (lower === 'keep-alive') return KEEP_ALIVE;
  if (lower === 'close') return CLOSE;
  if (lower === 'upgrade') return UPGRADE;
  return lower
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

/** The last transfer coding of a Transfer-Encoding value, lowercased. */
export function lastCoding(value: string): string {
  const comma = value.lastIndexOf(',');
  return (comma < 0 ? value : value.slice(comma + 1)).trim().toLowerCase();
}

/** Inserts the byte range [start, end) into a sorted flat list of ranges. */
export function addRange(ranges: number[], start: number, end: number): void {
  let i = ranges.length;
  while (i > 0 && ranges[i - 2] > start) i -= 2;
  ranges.splice(i, 0, start, end);
}

/** Never dropped on a Connection token's say-so: the router frames messages with them. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding']);

/**
 * Drops header lines named by extra Connection tokens (RFC 9110 §7.6.1): a second pass over the head, only taken when
 * a Connection header listed something other than close, keep-alive or upgrade.
 */
export function dropNamed(head: string, firstLineEnd: number, end: number, names: string[], drop: number[]): void {
  let pos = firstLineEnd + 2;
  while (pos < end) {
    const lineEnd = head.indexOf('\r\n', pos);
    const colon = head.indexOf(':', pos);
    const name = head.slice(pos, colon).toLowerCase();
    if (names.includes(name) && !FRAMING.has(name) && !dropsLine(drop, pos)) addRange(drop, pos, lineEnd + 2);
    pos = lineEnd + 2;
  }
}

function dropsLine(drop: number[], start: number): boolean {
  for (let i = 0; i < drop.length; i += 2) if (drop[i] === start) return true;
  return false;
}

/**
 * The bytes of buf[0, end) without the dropped line ranges, then `extra` (CRLF-terminated lines, latin1), the blank
 * line, and buf[bodyStart, bodyEnd): one buffer, so a small message leaves in one write.
 */
export function rewriteHead(buf: Buffer, drop: number[], end: number, extra: string, bodyStart: number, bodyEnd: number): Buffer {
  let size = end + extra.length + 2 + (bodyEnd - bodyStart);
  for (let i = 0; i < drop.length; i += 2) size -= drop[i + 1] - drop[i];
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let from = 0;
  for (let i = 0; i < drop.length; i += 2) {
    at += buf.copy(out, at, from, drop[i]);
    from = drop[i + 1];
  }
  at += buf.copy(out, at, from, end);
  if (extra.length > 0) at += out.write(extra, at, 'latin1');
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  if (bodyEnd > bodyStart) buf.copy(out, at, bodyStart, bodyEnd);
  return out;
}
