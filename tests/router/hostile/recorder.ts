import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createRouter, type Router, type RouterOptions } from '../../../src/router/router.js';

/**
 * An upstream that records every byte it receives, per connection, and answers each request head with
 * `answer(socket, head)` (default: 200 "ok"). What the hostile cases assert on is what reached it.
 */
export interface Recorder {
  url: string;
  /** Everything received, per connection, in order. */
  received: string[];
  heads: string[];
  /** Connections open now. */
  open: number;
  close(): Promise<void>;
}

export async function recorder(answer: (socket: Socket, head: string) => void = ok): Promise<Recorder> {
  const sockets = new Set<Socket>();
  const state = { received: [] as string[], heads: [] as string[] };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const index = state.received.push('') - 1;
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let scanned = 0;
    socket.on('data', (chunk) => {
      state.received[index] += chunk.toString('latin1');
      const text = state.received[index];
      for (let end = text.indexOf('\r\n\r\n', scanned); end >= 0; end = text.indexOf('\r\n\r\n', scanned)) {
        const head = text.slice(scanned, end);
        scanned = end + 4;
        state.heads.push(head);
        answer(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: state.received,
    heads: state.heads,
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function ok(socket: Socket): void {
  socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
}

/** The header lines of a recorded head, lowercased names, in order, request line first. */
export function lines(head: string): string[] {
  return head.split('\r\n');
}

/** A router on loopback with short timeouts (no test waits for a default one) routed to `url`. */
export async function hostileRouter(url: string, options: Partial<RouterOptions> = {}, cleanups: (() => Promise<unknown>)[]): Promise<Router> {
  const router = await createRouter({
    port: 0,
    host: '127.0.0.1',
    ...options,
    limits: { headTimeoutMs: 150, bodyIdleTimeoutMs: 150, sendIdleTimeoutMs: 150, tunnelIdleTimeoutMs: 150, keepAliveTimeoutMs: 5_000, ...options.limits },
  });
  cleanups.push(() => router.close(100));
  await router.setActive({ id: 'up', url });
  return router;
}
