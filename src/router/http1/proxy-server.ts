import { createServer, type Server } from 'node:net';
import { UserError } from '../../errors.js';
import { ClientConnection } from './client-connection.js';
import type { Routing } from './proxy-target.js';

export interface ProxyServerOptions {
  /** A client connection must send a complete request head within this long of becoming idle. Default 30 s. */
  idleTimeoutMs?: number;
  /** An upstream must send the response head within this long of the request. Default 300 s, then 502. */
  responseTimeoutMs?: number;
  /** Called once a second with `performance.now()`, e.g. to close idle upstream connections. */
  onTick?: (now: number) => void;
}

/**
 * The public listener of the router: a plain TCP server whose connections speak HTTP/1.1 through ClientConnection.
 * A once-a-second tick closes client connections that stayed idle (or sent only part of a head) for too long, and
 * answers 502 for requests whose upstream sent no response head in time.
 */
export class ProxyServer {
  closing = false;
  /** Seconds since start, advanced by the sweeper. */
  tick = 0;
  private readonly connections = new Set<ClientConnection>();
  private readonly server: Server;
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleTicks: number;
  private readonly responseTicks: number;

  constructor(
    readonly routing: Routing,
    private readonly options: ProxyServerOptions = {},
  ) {
    this.idleTicks = Math.max(1, Math.ceil((options.idleTimeoutMs ?? 30_000) / 1000));
    this.responseTicks = Math.max(1, Math.ceil((options.responseTimeoutMs ?? 300_000) / 1000));
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      if (this.closing) return void socket.destroy();
      this.connections.add(new ClientConnection(socket, this));
    });
    this.sweeper = setInterval(() => this.sweep(), 1000).unref();
  }

  /** Resolves with the bound port. A port in use is a UserError that names it. `handle`: a socket the keeper bound. */
  listen(port: number, host: string, handle?: unknown): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') reject(new UserError(`router: port ${port} on ${host} is already in use`));
        else reject(error);
      };
      this.server.once('error', onError);
      const listening = () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(address && typeof address === 'object' ? address.port : port);
      };
      if (handle) this.server.listen(handle as never, listening);
      else this.server.listen(port, host, listening);
    });
  }

  forget(connection: ClientConnection): void {
    this.connections.delete(connection);
  }

  /** Requests in flight on client connections. */
  get busy(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.exchange !== null) count++;
    return count;
  }

  /**
   * Stops accepting, closes idle connections, lets requests in flight finish within `graceMs` (each connection is
   * closed after its response), then closes everything left, tunnels included.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = performance.now() + graceMs;
    for (;;) {
      for (const connection of this.connections) if (connection.idle) connection.close();
      if (this.busy === 0 || performance.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    await closed;
  }

  private sweep(): void {
    const tick = ++this.tick;
    for (const connection of this.connections) {
      if (connection.idle) {
        if (tick - connection.since > this.idleTicks) connection.destroy();
      } else connection.exchange?.expire(tick, this.responseTicks);
    }
    this.options.onTick?.(performance.now());
  }
}
