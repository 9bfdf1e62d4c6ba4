import { CR, LF, put } from './head-scan.js';
import type { RequestHead } from './request-head.js';

const HOST = Buffer.from('host: ', 'latin1');
const FORWARDED_HOST = Buffer.from('x-forwarded-host: ', 'latin1');

/**
 * The request head as the upstream gets it: the request line (an absolute-form target cut to origin form), then the
 * router's own lines (`fixed`, `extra`, Host for an absolute-form target, X-Forwarded-Host), then the client's lines
 * without the dropped ones. The router's lines come first so no number of client lines can push them out of what an
 * upstream reads.
 */
export function rewriteRequestHead(buf: Buffer, head: RequestHead, fixed: Buffer | null, extra: string, forwardHost: boolean): Buffer {
  const { drop, end, lineEnd, methodEnd, targetStart, hostStart, hostEnd, absolute } = head;
  const slash = absolute && buf[targetStart] !== 0x2f;
  const hostLength = hostEnd - hostStart;
  const addForwardedHost = forwardHost && hostStart >= 0;
  let size = end + 2 - (targetStart - methodEnd - 1) + extra.length;
  for (let i = 0; i < drop.length; i += 2) size -= drop[i + 1] - drop[i];
  if (slash) size++;
  if (fixed !== null) size += fixed.length;
  if (absolute) size += HOST.length + hostLength + 2;
  if (addForwardedHost) size += FORWARDED_HOST.length + hostLength + 2;
  const out = Buffer.allocUnsafe(size);
  let at = put(out, 0, buf, 0, methodEnd + 1);
  if (slash) out[at++] = 0x2f;
  at = put(out, at, buf, targetStart, lineEnd + 2);
  if (fixed !== null) at = put(out, at, fixed, 0, fixed.length);
  if (extra.length > 0) at += out.write(extra, at, 'latin1');
  if (absolute) at = line(out, at, HOST, buf, hostStart, hostEnd);
  if (addForwardedHost) at = line(out, at, FORWARDED_HOST, buf, hostStart, hostEnd);
  let from = lineEnd + 2;
  for (let i = 0; i < drop.length; i += 2) {
    at = put(out, at, buf, from, drop[i]);
    from = drop[i + 1];
  }
  at = put(out, at, buf, from, end);
  out[at++] = CR;
  out[at] = LF;
  return out;
}

function line(out: Buffer, at: number, name: Buffer, buf: Buffer, start: number, end: number): number {
  at = put(out, at, name, 0, name.length);
  at = put(out, at, buf, start, end);
  out[at++] = CR;
  out[at++] = LF;
  return at;
}
