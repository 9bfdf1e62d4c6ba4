import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UpstreamMeter } from './meter.js';

const DROP = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/**
 * Relays an `Upgrade` request (WebSocket) byte for byte: the request head is rewritten with X-Forwarded-* headers,
 * then both sockets are piped. The connection stays with the upstream it started on, across later switches.
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, origin: URL, meter: UpstreamMeter): void {
  const upstream: Socket = connect({ host: origin.hostname, port: Number(origin.port || 80) });
  let connected = false;
  let counted = false;

  const fail = () => {
    if (!connected && client.writable) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      meter.record(502, 0, true);
    } else client.destroy();
    upstream.destroy();
  };

  upstream.once('connect', () => {
    connected = true;
    meter.websockets++;
    counted = true;
    upstream.setNoDelay(true);
    upstream.write(requestHead(req));
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', fail);
  client.on('error', () => upstream.destroy());
  const closed = () => {
    if (counted) {
      counted = false;
      meter.websockets--;
    }
    client.destroy();
    upstream.destroy();
  };
  upstream.on('close', closed);
  client.on('close', closed);
}

function requestHead(req: IncomingMessage): string {
  const raw = req.rawHeaders;
  let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
  let forwardedFor = '';
  let host = '';
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i].toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1];
    if (lower === 'host') host = raw[i + 1];
    if (DROP.has(lower)) continue;
    head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  const client = req.socket.remoteAddress ?? '';
  head += `x-forwarded-for: ${forwardedFor ? `${forwardedFor}, ${client}` : client}\r\n`;
  head += `x-forwarded-proto: http\r\n`;
  if (host) head += `x-forwarded-host: ${host}\r\n`;
  return head + '\r\n';
}
