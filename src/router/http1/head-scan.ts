/**
 * Helpers shared by the request and response head parsers. Heads are parsed as bytes in place: every call into
 * node's native code (a string made from the buffer, `indexOf`, `copy`) costs more per request than the byte loops
 * that replace it, so the hot path makes none.
 */

/** A head the proxy refuses; `status` is what the client gets (or 502 for an upstream's head). */
export class HeadError {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

export const CR = 0x0d;
export const LF = 0x0a;

/** RFC 9110 tchar: methods and field names. */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = TOKEN[c + 0x20] = 1;

/** Bytes allowed in a field value or reason phrase: HTAB, visible ASCII, SP and obs-text. No CTL, no DEL. */
const FIELD = new Uint8Array(256);
FIELD[0x09] = 1;
for (let c = 0x20; c < 0x100; c++) if (c !== 0x7f) FIELD[c] = 1;

/**
 * Length of the head in buf (through the blank line), or -1 when it is not complete yet. `from` is where to resume
 * scanning when bytes were appended to a buffer already scanned.
 */
export function headLength(buf: Buffer, from: number): number {
  const length = buf.length;
  for (let i = from < 3 ? 3 : from; i < length; i++) {
    if (buf[i] === LF && buf[i - 1] === CR && buf[i - 2] === LF && buf[i - 3] === CR) return i + 1;
  }
  return -1;
}

/**
 * The name of a header line starting at `pos`, inside a complete head (so a non-token byte always comes before the
 * buffer ends). Returns the offset of the colon, or -1 when the name is empty or not a token, or no colon follows
 * it. The caller then checks the value and finds the line's CR with `lineEnd`.
 */
export function scanField(buf: Buffer, pos: number): number {
  let i = pos;
  while (TOKEN[buf[i]] === 1) i++;
  if (i === pos || buf[i] !== 0x3a) return -1;
  return i;
}

/** Offset of the CR that ends the line whose value starts at `from`; -1 for a bad byte or a CR without LF. */
export function lineEnd(buf: Buffer, from: number): number {
  let i = from;
  let c = buf[i];
  while (c !== CR) {
    if (FIELD[c] === 0) return -1;
    c = buf[++i];
  }
  return buf[i + 1] === LF ? i : -1;
}

/**
 * Case-insensitive match of buf[start, start + name.length) against a lowercase name made of letters, digits and
 * '-'. Safe only on bytes already checked to be a token.
 */
export function eqLower(buf: Buffer, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if ((buf[start + i] | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * `eqLower` after normalising `_` to `-`: the way CGI/WSGI and many frameworks turn a header name into a variable,
 * so `x_shipgate_flags` reaches such an app as the same header as `x-shipgate-flags`.
 */
export function eqNormal(buf: Buffer, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = buf[start + i];
    if ((c === 0x5f ? 0x2d : c | 0x20) !== name.charCodeAt(i)) return false;
  }
  return true;
}

/** Start of a field value after the colon, past optional whitespace. */
export function valueStart(buf: Buffer, colon: number, end: number): number {
  let a = colon + 1;
  while (a < end && (buf[a] === 0x20 || buf[a] === 0x09)) a++;
  return a;
}

/** End of a field value before the CR at `end`, without trailing whitespace. */
export function valueEnd(buf: Buffer, start: number, end: number): number {
  let b = end;
  while (b > start && (buf[b - 1] === 0x20 || buf[b - 1] === 0x09)) b--;
  return b;
}

/** Content-Length value bytes: digits only, at most 15 of them. -2 when invalid. */
export function parseLength(buf: Buffer, start: number, end: number): number {
  if (start === end || end - start > 15) return -2;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return -2;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** The value is exactly `word` (lowercase letters and '-'), in any case. */
export function valueIs(buf: Buffer, start: number, end: number, word: string): boolean {
  return end - start === word.length && eqLower(buf, start, word);
}

/** Latin1 text of buf[start, end), for the few values that leave the parser as strings. */
export function text(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}

const KEEP_ALIVE: readonly string[] = ['keep-alive'];
const CLOSE: readonly string[] = ['close'];
const UPGRADE: readonly string[] = ['upgrade'];

/** Connection header tokens, lowercased. The usual single-token values are matched without making a string. */
export function connectionTokens(buf: Buffer, start: number, end: number): readonly string[] {
  if (valueIs(buf, start, end, 'keep-alive')) return KEEP_ALIVE;
  if (valueIs(buf, start, end, 'close')) return CLOSE;
  if (valueIs(buf, start, end, 'upgrade')) return UPGRADE;
  return text(buf, start, end)
    .toLowerCase()
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
}

/** The last transfer coding of a Transfer-Encoding value, lowercased. */
export function lastCoding(buf: Buffer, start: number, end: number): string {
  if (valueIs(buf, start, end, 'chunked')) return 'chunked';
  const value = text(buf, start, end);
  const comma = value.lastIndexOf(',');
  return (comma < 0 ? value : value.slice(comma + 1)).trim().toLowerCase();
}

/** Inserts the byte range [start, end) into a sorted flat list of ranges. Lines come in order, so usually a push. */
export function addRange(ranges: number[], start: number, end: number): void {
  let i = ranges.length;
  if (i === 0 || ranges[i - 2] < start) {
    ranges.push(start, end);
    return;
  }
  while (i > 0 && ranges[i - 2] > start) i -= 2;
  ranges.splice(i, 0, start, end);
}

/** Never dropped on a Connection token's say-so: the router frames messages with them. */
const FRAMING = new Set(['host', 'content-length', 'transfer-encoding']);

/**
 * Drops header lines named by extra Connection tokens (RFC 9110 §7.6.1): a second pass over the head, only taken when
 * a Connection header listed something other than close, keep-alive or upgrade.
 */
export function dropNamed(buf: Buffer, firstLineEnd: number, end: number, names: string[], drop: number[]): void {
  let pos = firstLineEnd + 2;
  while (pos < end) {
    const colon = scanField(buf, pos);
    const cr = lineEnd(buf, colon + 1);
    const name = text(buf, pos, colon).toLowerCase();
    if (names.includes(name) && !FRAMING.has(name) && !dropsLine(drop, pos)) addRange(drop, pos, cr + 2);
    pos = cr + 2;
  }
}

function dropsLine(drop: number[], start: number): boolean {
  for (let i = 0; i < drop.length; i += 2) if (drop[i] === start) return true;
  return false;
}

/** Above this many bytes node's native copy beats a loop; below it the call into native code costs more. */
const NATIVE_COPY = 256;

/** Copies src[from, to) into dst at `at`; returns the offset past the copied bytes. */
export function put(dst: Buffer, at: number, src: Buffer, from: number, to: number): number {
  if (to - from > NATIVE_COPY) return at + src.copy(dst, at, from, to);
  for (let i = from; i < to; i++) dst[at++] = src[i];
  return at;
}

/**
 * The bytes of buf[0, end) without the dropped line ranges, then the added lines, the blank line, and
 * buf[bodyStart, bodyEnd): one buffer, so a small message leaves in one write. Used for response heads; request heads
 * have their own writer (request-rewrite.ts).
 */
export function rewriteHead(buf: Buffer, drop: number[], end: number, fixed: Buffer | null, extra: string, bodyStart: number, bodyEnd: number): Buffer {
  let size = end + 2 + (bodyEnd - bodyStart) + extra.length;
  for (let i = 0; i < drop.length; i += 2) size -= drop[i + 1] - drop[i];
  if (fixed !== null) size += fixed.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let from = 0;
  for (let i = 0; i < drop.length; i += 2) {
    at = put(out, at, buf, from, drop[i]);
    from = drop[i + 1];
  }
  at = put(out, at, buf, from, end);
  if (fixed !== null) at = put(out, at, fixed, 0, fixed.length);
  if (extra.length > 0) at += out.write(extra, at, 'latin1');
  out[at++] = CR;
  out[at++] = LF;
  if (bodyEnd > bodyStart) put(out, at, buf, bodyStart, bodyEnd);
  return out;
}
