import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Writes `parts` to a new connection, one after the other with a pause between so they reach the router in separate
 * reads, and collects everything until the router closes the connection.
 */
export function rawExchange(port: number, parts: (string | Buffer)[], gapMs = 2, timeoutMs = 10_000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.once('connect', async () => {
      for (const [index, part] of parts.entries()) {
        if (index > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (!socket.destroyed) socket.write(part);
      }
    });
  });
}

/**
 * Splits a stream of HTTP/1.1 responses into heads and bodies (content-length, chunked — decoded — or up to the end).
 * Interim 1xx responses are skipped.
 */
export function splitResponses(text: string, bodyless: (index: number) => boolean = () => false): { head: string; body: string }[] {
  const out: { head: string; body: string }[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(text.slice(at))}`);
    const head = text.slice(at, end);
    if (/^HTTP\/1\.1 1\d\d /.test(head)) {
      at = end + 4;
      continue;
    }
    if (!bodyless(out.length) && /\r\ntransfer-encoding: *chunked/i.test(head)) {
      let body = '';
      let pos = end + 4;
      for (;;) {
        const lineEnd = text.indexOf('\r\n', pos);
        const size = parseInt(text.slice(pos, lineEnd), 16);
        pos = lineEnd + 2;
        if (size === 0) break;
        body += text.slice(pos, pos + size);
        pos += size + 2;
      }
      at = text.indexOf('\r\n\r\n', pos - 2) + 4;
      out.push({ head, body });
      continue;
    }
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const size = bodyless(out.length) ? 0 : length ? Number(length[1]) : text.length - end - 4;
    out.push({ head, body: text.slice(end + 4, end + 4 + size) });
    at = end + 4 + size;
  }
  return out;
}

export interface RawUpstream {
  port: number;
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received so far. */
  heads: string[];
  close(): Promise<void>;
}

/**
 * An upstream written on plain sockets, for answers node's HTTP server would not give (close-delimited bodies,
 * bodies split at chosen bytes, dying mid-body). `answer` gets each bodyless request head.
 */
export async function rawUpstream(answer: (socket: Socket, head: string) => void): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, heads: [] as string[] };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        state.heads.push(head);
        answer(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    heads: state.heads,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The path of a request head's request line. */
export function pathOf(head: string): string {
  return head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
}
