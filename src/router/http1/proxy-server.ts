import { createServer, type Server, type Socket } from 'node:net';
import { UserError } from '../../errors.js';
import type { AccessLog } from '../access-log.js';
import type { Http01Answers } from '../acme/challenges.js';
import { ticksOf, tickMs, withDefaults, type RouterLimits } from '../limits.js';
import type { UpstreamMeter } from '../meter.js';
import { ClientConnection } from './client-connection.js';
import { TrustedProxies } from './forwarding.js';
import type { Routing } from './proxy-target.js';
import { TOO_MANY_CONNECTIONS } from './responses.js';

export interface ProxyServerOptions {
  limits?: Partial<RouterLimits>;
  /** Peers whose forwarding headers are believed (addresses or CIDR ranges). None by default. */
  trustedProxies?: readonly string[];
  /** Honour the flag table's user header from any client, not only from trusted proxies. */
  trustUserHeader?: boolean;
  /** Called on every tick with `performance.now()`, e.g. to close idle upstream connections. */
  onTick?: (now: number) => void;
}

/** Each timeout of the limits as a number of ticks. */
export interface TimeoutTicks {
  head: number;
  keepAlive: number;
  body: number;
  send: number;
  response: number;
  tunnel: number;
}

/**
 * The public listener of the router: a plain TCP server whose connections speak HTTP/1.1 through ClientConnection.
 * One ticker (see limits.ts) expires connections: idle keep-alive, slow heads, stalled bodies, clients that do not
 * read, silent upstreams and idle tunnels. Connections over the per-client or total cap are refused with 503.
 */
export class ProxyServer {
  closing = false;
  /** Ticks since start, advanced by the sweeper. */
  tick = 0;
  limits!: RouterLimits;
  ticks!: TimeoutTicks;
  trusted!: TrustedProxies;
  trustUserHeader = false;
  /** `strict-transport-security` line added to answers on HTTPS connections; '' for none. */
  hsts = '';
  /** With TLS and `redirect`, plain-HTTP requests get a 308 to this HTTPS port; null: served as they are. */
  redirectToPort: number | null = null;
  /** With ACME on, the HTTP-01 answers for the challenge path of plain-HTTP requests; null: no such path is special. */
  acmeChallenges: Http01Answers | null = null;
  /** Set by the router when the access log is on. */
  accessLog: AccessLog | null = null;
  /** Connections whose request waits for the router to be resumed (paused). */
  readonly held = new Set<ClientConnection>();
  /** Length of a tick in ms. */
  tickMs = 1000;
  private readonly connections = new Set<ClientConnection>();
  private readonly perClient = new Map<string, number>();
  private readonly server: Server;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    readonly routing: Routing,
    private readonly options: ProxyServerOptions = {},
  ) {
    this.configure(options);
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  /**
   * Applies limits and trust; open connections follow the new values from the next tick. The tick length may change:
   * counts already running keep their tick numbers, so a timeout in progress is measured in the new ticks.
   */
  configure(options: Pick<ProxyServerOptions, 'limits' | 'trustedProxies' | 'trustUserHeader'>): void {
    const limits = (this.limits = withDefaults(options.limits));
    const tick = (this.tickMs = tickMs(limits));
    this.ticks = {
      head: ticksOf(limits.headTimeoutMs, tick),
      keepAlive: ticksOf(limits.keepAliveTimeoutMs, tick),
      body: ticksOf(limits.bodyIdleTimeoutMs, tick),
      send: ticksOf(limits.sendIdleTimeoutMs, tick),
      response: ticksOf(limits.responseTimeoutMs, tick),
      tunnel: ticksOf(limits.tunnelIdleTimeoutMs, tick),
    };
    this.trusted = new TrustedProxies(options.trustedProxies);
    this.trustUserHeader = options.trustUserHeader ?? false;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    if (!this.closing) this.sweeper = setInterval(() => this.sweep(), tick).unref();
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

  accept(socket: Socket, proto: 'http' | 'https' = 'http'): void {
    if (this.closing) return void socket.destroy();
    const address = socket.remoteAddress ?? '';
    const fromClient = this.perClient.get(address) ?? 0;
    if (this.connections.size >= this.limits.maxConnections || fromClient >= this.limits.maxConnectionsPerClient) {
      socket.on('error', () => undefined);
      socket.end(TOO_MANY_CONNECTIONS, () => socket.destroy());
      return;
    }
    this.perClient.set(address, fromClient + 1);
    this.connections.add(new ClientConnection(socket, this, proto));
  }

  /** Lets the requests held by a pause go on: to the routing table, or to the maintenance page. */
  releaseHeld(): void {
    for (const connection of [...this.held]) connection.release();
  }

  forget(connection: ClientConnection): void {
    this.held.delete(connection);
    if (!this.connections.delete(connection)) return;
    const left = (this.perClient.get(connection.remote) ?? 1) - 1;
    if (left === 0) this.perClient.delete(connection.remote);
    else this.perClient.set(connection.remote, left);
  }

  /** Open client connections, and how many distinct addresses they come from. */
  get connectionCount(): { connections: number; clients: number } {
    return { connections: this.connections.size, clients: this.perClient.size };
  }

  /** Requests in flight on client connections. */
  get busy(): number {
    let count = 0;
    for (const connection of this.connections) if (connection.exchange !== null) count++;
    return count;
  }

  /** Closes the tunnels (WebSockets) opened to an upstream; returns how many. */
  closeTunnels(meter: UpstreamMeter): number {
    let count = 0;
    for (const connection of this.connections) if (connection.closeTunnelTo(meter)) count++;
    return count;
  }

  /**
   * Stops accepting, closes idle connections, lets requests in flight finish within `graceMs` (each connection is
   * closed after its response), then closes everything left, tunnels included.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.sweeper !== null) clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const deadline = performance.now() + graceMs;
    for (;;) {
      for (const connection of this.connections) if (connection.idle) connection.close();
      if (this.busy === 0 || performance.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    this.perClient.clear();
    await closed;
  }

  private sweep(): void {
    const tick = ++this.tick;
    for (const connection of this.connections) connection.expire(tick);
    this.options.onTick?.(performance.now());
  }
}
