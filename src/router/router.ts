import { randomBytes } from 'node:crypto';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { UserError } from '../errors.js';
import { UpstreamMeter } from './meter.js';
import { UpstreamPools } from './upstream-pools.js';
import { ProxyServer } from './http1/proxy-server.js';
import type { ProxyTarget, Routing } from './http1/proxy-target.js';
import type { RequestHead } from './http1/request-head.js';
import { pickUpstream } from './pick.js';
import { readCookie, STICKY_COOKIE } from './sticky.js';
import { loadTable, saveTable } from './table-store.js';
import { waitForDrain, type DrainResult } from './drain.js';
import { emptyTable, type RoutingTable, type Upstream } from './types.js';
import { FlagEvaluator } from './flags.js';
import { CookieSigner, loadSigner } from './cookie-signer.js';
import { AccessLog } from './access-log.js';
import { gateFor, loadGate, saveGate, type Gate, type GateState } from './gate.js';
import { TlsEdge } from './tls/tls-edge.js';
import type { AcmePass } from './acme/manager.js';
import type { IssuerTiming } from './acme/issuer.js';
import type { RouterLimits } from './limits.js';
import { loadSettings, saveSettings, type RouterSettings } from './settings.js';

export interface RouterOptions {
  port: number;
  host?: string;
  /** A socket already bound by the keeper (src/router/keeper.ts): listened on instead of binding host:port. */
  listenHandle?: unknown;
  /** When set, the routing table is restored from and saved to `<stateDir>/router-table.json`. */
  stateDir?: string;
  /** Used when there is no saved table (tests, or a router without a state dir). */
  initialTable?: RoutingTable;
  log?: (line: string) => void;
  random?: () => number;
  /** Header, body and connection limits and the timeouts (src/router/limits.ts); defaults for what is left out. */
  limits?: Partial<RouterLimits>;
  /** Peers (addresses or CIDR ranges) whose forwarding headers and user header are believed. None by default. */
  trustedProxies?: readonly string[];
  /** Honour the flag table's user header from any client. Off by default: only from trusted proxies. */
  trustUserHeader?: boolean;
  /** Idle keep-alive connections to an upstream are closed after this long. Default 4 s (node's server keeps 5 s). */
  upstreamIdleMs?: number;
  /** ACME renewals: the clock they are judged by, whether a timer runs them, the ACME polling. Tests shorten them. */
  acme?: { now?: () => number; autoRenew?: boolean; timing?: IssuerTiming };
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
  /** Open client connections and the distinct addresses they come from. */
  clients: { connections: number; clients: number };
  /** Serving, paused (with the requests waiting) or in maintenance: `deploy pause` / `deploy maintenance`. */
  gate: (GateState & { held: number }) | { state: 'serving' };
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
  /** Requests wait (up to `failAfterMs` each, then 504) until `resume()`. */
  pause(failAfterMs: number): Promise<GateState>;
  /** Every request gets 503 and a maintenance page with `message` until `resume()`. */
  maintenance(message: string): Promise<GateState>;
  /** Ends a pause or maintenance; held requests go on. Returns what was ended, or null. */
  resume(): Promise<GateState | null>;
  /** The HTTPS port when `router.tls` is set, else null. */
  readonly httpsPort: number | null;
  /** One ACME renewal pass now (a timer runs them on its own): null when no certificate comes from ACME. */
  renewCertificates(): Promise<AcmePass | null>;
  /** Applies the config's `router:` settings to new requests at once; saved to the state dir when there is one. */
  configure(settings: RouterSettings): Promise<RouterSettings>;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

export async function createRouter(given: RouterOptions): Promise<Router> {
  const table = given.stateDir ? await loadTable(given.stateDir) : (given.initialTable ?? emptyTable());
  // Settings saved by the last `router.configure` apply from the first request after a restart.
  const saved = given.stateDir ? await loadSettings(given.stateDir) : null;
  const options = saved ? { ...given, ...saved } : given;
  const router = new ProxyRouter(options, table);
  if (options.stateDir) {
    const gate = await loadGate(options.stateDir);
    if (gate) router.setGate(gate);
    await router.flags.load(options.stateDir);
    router.signer = router.flags.signer = await loadSigner(options.stateDir);
    router.openAccessLog(saved?.accessLog);
    // Certificates from files and from the ACME store; missing ACME ones are ordered once the HTTP port listens.
    if (saved?.tls) await router.configure(saved, { issue: false });
  }
  await router.listen();
  router.tls.start();
  return router;
}

class ProxyRouter implements Router, Routing {
  host: string;
  port: number;
  private current: RoutingTable;
  private activeTarget: ProxyTarget | null = null;
  private canaryTarget: ProxyTarget | null = null;
  private readonly meters = new Map<string, UpstreamMeter>();
  private readonly pools: UpstreamPools;
  private readonly draining = new Set<string>();
  private readonly server: ProxyServer;
  private readonly startedAt = new Date().toISOString();
  private readonly random: () => number;
  private mutations: Promise<unknown> = Promise.resolve();
  readonly flags = new FlagEvaluator();
  gate: Gate | null = null;
  private gateState: GateState | null = null;
  /** Signs the sticky canary cookie; with a state dir, the environment's secret (router-secret, 0600). */
  signer = new CookieSigner();

  constructor(
    private readonly options: RouterOptions,
    table: RoutingTable,
  ) {
    this.host = options.host ?? '0.0.0.0';
    this.port = options.port;
    this.random = options.random ?? Math.random;
    this.current = table;
    this.pools = new UpstreamPools(options.upstreamIdleMs);
    this.rebuildTargets();
    this.server = new ProxyServer(this, {
      limits: options.limits,
      trustedProxies: options.trustedProxies,
      trustUserHeader: options.trustUserHeader,
      onTick: (now) => this.pools.sweep(now),
    });
    this.tls = new TlsEdge(this.server, this.host, { stateDir: options.stateDir, log: options.log, now: options.acme?.now, autoRenew: options.acme?.autoRenew, acmeTiming: options.acme?.timing });
  }

  async listen(): Promise<void> {
    this.port = await this.server.listen(this.port, this.host, this.options.listenHandle);
  }

  get userHeader(): string | null {
    return this.flags.userHeader;
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
    return {
      pid: process.pid,
      host: this.host,
      port: this.port,
      startedAt: this.startedAt,
      table: this.current,
      upstreams: [...upstreams.values()],
      clients: this.server.connectionCount,
      gate: this.gateState ? { ...this.gateState, held: this.server.held.size } : { state: 'serving' },
    };
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
    const deadline = performance.now() + timeoutMs;
    try {
      const result = await waitForDrain(meter, timeoutMs);
      if (meter.websockets > 0) this.closeTunnelsAt(id, meter, deadline);
      const url = this.urlOf(id);
      // Idle keep-alive connections to a drained upstream are released, unless it took traffic again meanwhile.
      if (result.drained && url && !this.isRouted(id)) {
        const origin = new URL(url).origin;
        // A new release may have been given the same port; its pool must stay.
        if (this.activeTarget?.pool.origin !== origin && this.canaryTarget?.pool.origin !== origin) this.pools.release(origin);
      }
      return result;
    } finally {
      this.draining.delete(id);
    }
  }

  /** WebSockets to a drained upstream get the same deadline as its requests, then are closed (unless routed again). */
  private closeTunnelsAt(id: string, meter: UpstreamMeter, deadline: number): void {
    setTimeout(() => {
      if (!this.isRouted(id)) this.server.closeTunnels(meter);
    }, Math.max(0, deadline - performance.now())).unref();
  }

  setGate(state: GateState | null): void {
    this.gateState = state;
    this.gate = state ? gateFor(state) : null;
  }

  pause(failAfterMs: number): Promise<GateState> {
    return this.changeGate({ state: 'paused', failAfterMs, since: new Date().toISOString() }) as Promise<GateState>;
  }

  maintenance(message: string): Promise<GateState> {
    return this.changeGate({ state: 'maintenance', message, since: new Date().toISOString() }) as Promise<GateState>;
  }

  resume(): Promise<GateState | null> {
    return this.mutate(async () => {
      const previous = this.gateState;
      await this.changeGate(null);
      return previous;
    });
  }

  /** Swaps the gate for new requests, lets held ones go on under the new one, then saves it. */
  private async changeGate(state: GateState | null): Promise<GateState | null> {
    this.setGate(state);
    if (this.gate === null || !this.gate.paused) this.server.releaseHeld();
    this.options.log?.(state ? `${state.state}${state.state === 'paused' ? ` (requests wait up to ${state.failAfterMs} ms)` : ''}` : 'serving (pause or maintenance ended)');
    if (this.options.stateDir) await saveGate(this.options.stateDir, state);
    return state;
  }

  /** The access log in the state dir, unless the settings turn it off. */
  openAccessLog(setting: RouterSettings['accessLog']): void {
    const previous = this.server.accessLog;
    this.server.accessLog = this.options.stateDir && setting !== false ? new AccessLog(this.options.stateDir, setting ?? {}) : null;
    void previous?.close();
  }

  readonly tls: TlsEdge;

  /** The HTTPS port when TLS is on, else null. */
  get httpsPort(): number | null {
    return this.tls.port;
  }

  renewCertificates(): Promise<AcmePass | null> {
    return this.tls.renew();
  }

  /** TLS first: a certificate that cannot be had refuses the whole change. `issue: false` while not yet listening. */
  async configure(settings: RouterSettings, options: { issue: boolean } = { issue: true }): Promise<RouterSettings> {
    await this.tls.apply(settings.tls, options);
    this.server.configure(settings);
    this.openAccessLog(settings.accessLog);
    if (this.options.stateDir) await saveSettings(this.options.stateDir, settings);
    return settings;
  }

  metrics(id: string, windowMs: number): UpstreamMetrics {
    return this.meterFor(id).read(windowMs);
  }

  async close(graceMs = 10_000): Promise<void> {
    await Promise.all([this.server.close(graceMs), this.tls.close()]);
    this.pools.closeAll();
    await this.server.accessLog?.close();
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
    return { pool: this.pools.get(origin), meter: this.meterFor(upstream.id), requestHeaders: '', responseHeaders: '', extraMeters: null };
  }

  private meterFor(id: string): UpstreamMeter {
    let meter = this.meters.get(id);
    if (!meter) this.meters.set(id, (meter = new UpstreamMeter(id)));
    return meter;
  }

  /** Picks the target for one request head: active or canary (sticky by cookie), plus the feature-flag headers. */
  route(head: RequestHead): ProxyTarget | null {
    let target = this.choose(head.cookie);
    if (target === null) return null;
    // A drained upstream's pool is closed; if that release is routed again, a new pool replaces it.
    if (target.pool.closed) {
      this.rebuildTargets();
      target = this.choose(head.cookie);
      if (target === null) return null;
    }
    if (head.upgrade) return target;
    const decision = this.flags.decideFor(head.user, head.cookie);
    if (decision === null) return target;
    return {
      ...target,
      requestHeaders: `x-shipgate-flags: ${decision.header}\r\n`,
      responseHeaders: decision.setCookie ? `${target.responseHeaders}set-cookie: ${decision.setCookie}\r\n` : target.responseHeaders,
      extraMeters: decision.meters,
    };
  }

  private choose(cookie: string | undefined): ProxyTarget | null {
    if (!this.canaryTarget) return this.activeTarget;
    const table = this.current;
    const key = table.canary!.sticky ? this.signer.verify(readCookie(cookie, STICKY_COOKIE)) : undefined;
    const pick = pickUpstream(table, key, this.random, newStickyKey);
    if (!pick) return null;
    const target = pick.upstream.id === table.canary!.upstream.id ? this.canaryTarget : this.activeTarget;
    if (!target || !pick.newStickyKey) return target;
    return { ...target, responseHeaders: `set-cookie: ${STICKY_COOKIE}=${this.signer.sign(pick.newStickyKey)}; Path=/; HttpOnly; SameSite=Lax\r\n` };
  }
}

function newStickyKey(): string {
  return randomBytes(9).toString('base64url');
}
