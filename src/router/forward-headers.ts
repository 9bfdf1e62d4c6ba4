import type { IncomingMessage } from 'node:http';

/** Connection-scoped headers a proxy must not forward (RFC 9110 §7.6.1), plus `expect`, which node answers itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'expect',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  // Set by the router from the flag table (src/router/flags.ts); a client must never choose its own flags.
  'x-shipgate-flags',
]);

/**
 * Request headers for the upstream as a flat [name, value, ...] list, straight from the raw list node already has,
 * so no header object is built. Adds X-Forwarded-For/-Proto/-Host.
 */
export function upstreamRequestHeaders(req: IncomingMessage): { headers: string[]; hasBody: boolean } {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let hasBody = false;
  let forwardedFor: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const first = name.charCodeAt(0) | 0x20;
    // Only names starting with c, e, k, p, t, u or x can be dropped; skip the set lookup for the rest.
    if (first === 0x63 || first === 0x65 || first === 0x6b || first === 0x70 || first === 0x74 || first === 0x75 || first === 0x78 || first === 0x68) {
      const lower = name.toLowerCase();
      if (lower === 'host') host = raw[i + 1];
      else if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
      else if (lower === 'transfer-encoding' || (lower === 'content-length' && raw[i + 1] !== '0')) hasBody = true;
      if (HOP_BY_HOP.has(lower)) continue;
    }
    out.push(name, raw[i + 1]);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${client}` : client);
  out.push('x-forwarded-proto', (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  if (host !== undefined) out.push('x-forwarded-host', host);
  return { headers: out, hasBody };
}

const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);

/**
 * Response headers from undici's raw buffers, as the flat list `res.writeHead` accepts, without hop-by-hop ones.
 * Also returns the content-length (-1 when absent) so the proxy can finish the response with its last chunk.
 */
export function clientResponseHeaders(raw: Buffer[], extra?: string[]): { list: string[]; contentLength: number } {
  const list: string[] = [];
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1');
    const first = name.charCodeAt(0) | 0x20;
    if (first === 0x63 || first === 0x6b || first === 0x70 || first === 0x74 || first === 0x75) {
      const lower = name.toLowerCase();
      if (RESPONSE_DROP.has(lower)) continue;
      if (lower === 'content-length') {
        const value = raw[i + 1].toString('latin1');
        contentLength = /^\d+$/.test(value) ? Number(value) : -1;
        list.push(name, value);
        continue;
      }
    }
    list.push(name, raw[i + 1].toString('latin1'));
  }
  if (extra) for (const item of extra) list.push(item);
  return { list, contentLength };
}
