import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { UserError } from '../errors.js';
import { UpstreamMeter } from './meter.js';
import { UpstreamPools } from './upstream-pools.js';
import { proxyHttp, type ProxyTarget } from './proxy-http.js';
import { proxyUpgrade } from './proxy-upgrade.js';
import { pickUpstream } from './pick.js';
import { readCookie, STICKY_COOKIE } from './sticky.js';
import { loadTable, saveTable } from './table-store.js';
import { waitForDrain, type DrainResult } from './drain.js';
import { emptyTable, type RoutingTable, type Upstream } from './types.js';
import { FlagEvaluator } from './flags.js';

export interface RouterOptions {
  port: number;
  host?: string;
  /** When set, the routing table is restored from and saved to `<stateDir>/router-table.json`. */
  stateDir?: string;
  /** Used when there is no saved table (tests, or a router without a state dir). */
  initialTable?: RoutingTable;
  log?: (line: string) => void;
  random?: () => number;
}

export interface UpstreamStatus extends Upstream {
  role: 'active' | 'canary' | 'idle';
  inFlight: number;
  websockets: number;
  draining: boolean;
}

export interface RouterStatus {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
  table: RoutingTable;
  upstreams: UpstreamStatus[];
}

export interface SetActiveResult {
  table: RoutingTable;
  previous: Upstream | null;
}

export interface SetWeightsInput {
  upstream: Upstream;
  percent: number;
  sticky: boolean;
}

/** The in-process router: the public HTTP server plus the routing state. The daemon and the tests share it. */
export interface Router {
  readonly host: string;
  readonly port: number;
  table(): RoutingTable;
  status(): RouterStatus;
  setActive(upstream: Upstream, options?: { drainTimeoutMs?: number }): Promise<SetActiveResult>;
  setWeights(input: SetWeightsInput): Promise<RoutingTable>;
  drain(id: string, timeoutMs: number): Promise<DrainResult>;
  metrics(id: string, windowMs: number): UpstreamMetrics;
  /** Feature flags evaluated per request (src/router/flags.ts); empty until a table is pushed or loaded. */
  readonly flags: FlagEvaluator;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

export async function createRouter(options: RouterOptions): Promise<Router> {
  const table = options.stateDir ? await loadTable(options.stateDir) : (options.initialTable ?? emptyTable());
  const router = new ProxyRouter(options, table);
  if (options.stateDir) await router.flags.load(options.stateDir);
  await router.listen();
  return router;
}

class ProxyRouter implements Router {
  host: string;
  port: number;
  private current: RoutingTable;
  private activeTarget: ProxyTarget | null = null;
  private canaryTarget: ProxyTarget | null = null;
  private readonly meters = new Map<string, UpstreamMeter>();
  private readonly pools = new UpstreamPools();
  private readonly draining = new Set<string>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly startedAt = new Date().toISOString();
  private readonly random: () => number;
  private mutations: Promise<unknown> = Promise.resolve();
  readonly flags = new FlagEvaluator();

  constructor(
    private readonly options: RouterOptions,
    table: RoutingTable,
  ) {
    this.host = options.host ?? '0.0.0.0';
    this.port = options.port;
    this.random = options.random ?? Math.random;
    this.current = table;
    this.rebuildTargets();
    this.server = createServer({ noDelay: true, keepAlive: true }, (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') reject(new UserError(`router: port ${this.port} on ${this.host} is already in use`));
        else reject(error);
      };
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  table(): RoutingTable {
    return this.current;
  }

  status(): RouterStatus {
    const upstreams = new Map<string, UpstreamStatus>();
    const add = (upstream: Upstream, role: UpstreamStatus['role']) => {
      const meter = this.meters.get(upstream.id);
      upstreams.set(upstream.id, {
        ...upstream,
        role,
        inFlight: meter?.inFlight ?? 0,
        websockets: meter?.websockets ?? 0,
        draining: this.draining.has(upstream.id),
      });
    };
    if (this.current.active) add(this.current.active, 'active');
    if (this.current.canary) add(this.current.canary.upstream, 'canary');
    for (const [id, meter] of this.meters) {
      if (!upstreams.has(id)) {
        upstreams.set(id, { id, url: this.urls.get(id) ?? '', role: 'idle', inFlight: meter.inFlight, websockets: meter.websockets, draining: this.draining.has(id) });
      }
    }
    return { pid: process.pid, host: this.host, port: this.port, startedAt: this.startedAt, table: this.current, upstreams: [...upstreams.values()] };
  }

  setActive(given: Upstream, options: { drainTimeoutMs?: number } = {}): Promise<SetActiveResult> {
    const upstream = { id: given.id, url: given.url };
    return this.mutate(async () => {
      const previous = this.current.active;
      await this.apply({ ...this.current, active: upstream, canary: null });
      const others = [previous, ...(this.lastCanary ? [this.lastCanary] : [])].filter(
        (other): other is Upstream => other !== null && other.id !== upstream.id,
      );
      this.lastCanary = null;
      if (options.drainTimeoutMs !== undefined) for (const other of others) void this.drain(other.id, options.drainTimeoutMs);
      return { table: this.current, previous: previous && previous.id !== upstream.id ? previous : null };
    });
  }

  private lastCanary: Upstream | null = null;

  setWeights(input: SetWeightsInput): Promise<RoutingTable> {
    return this.mutate(async () => {
      if (this.current.active && input.upstream.id === this.current.active.id) {
        throw new UserError(`router: upstream "${input.upstream.id}" is already active; a canary must be a different release`);
      }
      const upstream = { id: input.upstream.id, url: input.upstream.url };
      const canary = input.percent > 0 ? { upstream, percent: input.percent, sticky: input.sticky } : null;
      if (canary) this.lastCanary = upstream;
      await this.apply({ ...this.current, canary });
      return this.current;
    });
  }

  async drain(id: string, timeoutMs: number): Promise<DrainResult> {
    const meter = this.meters.get(id);
    if (!meter) return { drained: true, inFlight: 0 };
    this.draining.add(id);
    try {
      const result = await waitForDrain(meter, timeoutMs);
      const url = this.urlOf(id);
      // Idle keep-alive connections to a drained upstream are released, unless it took traffic again meanwhile.
      if (result.drained && url && !this.isRouted(id)) {
        const origin = new URL(url).origin;
        // A new release may have been given the same port; its pool must stay.
        if (this.activeTarget?.origin !== origin && this.canaryTarget?.origin !== origin) await this.pools.release(origin);
      }
      return result;
    } finally {
      this.draining.delete(id);
    }
  }

  metrics(id: string, windowMs: number): UpstreamMetrics {
    return this.meterFor(id).read(windowMs);
  }

  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const inFlight = [...this.meters.values()];
    const deadline = performance.now() + graceMs;
    while (inFlight.some((meter) => meter.inFlight > 0) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      this.server.closeIdleConnections();
    }
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await this.pools.closeAll();
  }

  private urls = new Map<string, string>();

  private urlOf(id: string): string | undefined {
    return this.urls.get(id);
  }

  private isRouted(id: string): boolean {
    return this.current.active?.id === id || this.current.canary?.upstream.id === id;
  }

  private mutate<T>(change: () => Promise<T>): Promise<T> {
    const run = this.mutations.then(change, change);
    this.mutations = run.catch(() => undefined);
    return run;
  }

  /** Swaps the in-memory table first, so new requests see it at once, then saves it before the call returns. */
  private async apply(next: Omit<RoutingTable, 'version' | 'updatedAt'> & Partial<RoutingTable>): Promise<void> {
    const table: RoutingTable = {
      version: this.current.version + 1,
      active: next.active,
      canary: next.canary,
      updatedAt: new Date().toISOString(),
    };
    this.current = table;
    this.rebuildTargets();
    this.options.log?.(`routing v${table.version}: active=${table.active?.id ?? '-'}${table.canary ? ` canary=${table.canary.upstream.id}@${table.canary.percent}%${table.canary.sticky ? ' sticky' : ''}` : ''}`);
    if (this.options.stateDir) await saveTable(this.options.stateDir, table);
  }

  private rebuildTargets(): void {
    const { active, canary } = this.current;
    this.activeTarget = active ? this.targetFor(active) : null;
    this.canaryTarget = canary && canary.percent > 0 ? this.targetFor(canary.upstream) : null;
  }

  private targetFor(upstream: Upstream): ProxyTarget {
    this.urls.set(upstream.id, upstream.url);
    const origin = new URL(upstream.url).origin;
    return { origin, dispatcher: this.pools.get(origin), meter: this.meterFor(upstream.id) };
  }

  private meterFor(id: string): UpstreamMeter {
    let meter = this.meters.get(id);
    if (!meter) this.meters.set(id, (meter = new UpstreamMeter(id)));
    return meter;
  }

  private choose(req: IncomingMessage): ProxyTarget | null {
    if (!this.canaryTarget) return this.activeTarget;
    const table = this.current;
    const key = table.canary!.sticky ? cookieValue(req.rawHeaders, STICKY_COOKIE) : undefined;
    const pick = pickUpstream(table, key, this.random, newStickyKey);
    if (!pick) return null;
    const target = pick.upstream.id === table.canary!.upstream.id ? this.canaryTarget : this.activeTarget;
    if (!target || !pick.newStickyKey) return target;
    return { ...target, extraHeaders: ['set-cookie', `${STICKY_COOKIE}=${pick.newStickyKey}; Path=/; HttpOnly; SameSite=Lax`] };
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = withFlags(this.choose(req), this.flags, req);
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end('No release is active\n');
      return;
    }
    // A switch rebuilds targets; re-read the pool in case a drained upstream's pool was released and is routed again.
    if (target.dispatcher.closed || target.dispatcher.destroyed) {
      this.rebuildTargets();
      return this.onRequest(req, res);
    }
    proxyHttp(req, res, target);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = this.choose(req);
    if (!target) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    proxyUpgrade(req, socket, head, new URL(target.origin), target.meter);
  }
}

/** Adds the evaluated flags (header, cohort meters, cookie) to a target; unchanged when no flag is defined. */
function withFlags(target: ProxyTarget | null, flags: FlagEvaluator, req: IncomingMessage): ProxyTarget | null {
  if (!target) return target;
  const decision = flags.decide(req);
  if (!decision) return target;
  const extraHeaders = decision.setCookie ? [...(target.extraHeaders ?? []), 'set-cookie', decision.setCookie] : target.extraHeaders;
  return { ...target, extraHeaders, flagsHeader: decision.header, extraMeters: decision.meters };
}

function newStickyKey(): string {
  return randomBytes(9).toString('base64url');
}

function cookieValue(raw: string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 6 && raw[i].toLowerCase() === 'cookie') {
      const value = readCookie(raw[i + 1], name);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}
