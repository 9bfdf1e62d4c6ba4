import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { ControlError, SOCKET_FILE, type ControlResponse } from './control-protocol.js';
import type { RouterStatus, SetActiveResult } from './router.js';
import type { DrainResult } from './drain.js';
import type { RoutingTable, Upstream } from './types.js';

/** Talks to a running router over its control socket. One connection, calls matched by id. */
export interface RouterClient {
  status(): Promise<RouterStatus>;
  /** Resolves once new requests go to `upstream`. Draining the previous one runs on in the router; see `drain`. */
  setActive(upstream: Upstream, options?: { drainTimeoutMs?: number }): Promise<SetActiveResult>;
  /** Sends `percent` of requests to `upstream` (the canary), per request or sticky by cookie. 0 removes the canary. */
  setWeights(upstream: Upstream, percent: number, options?: { sticky?: boolean }): Promise<RoutingTable>;
  drain(id: string, timeoutMs: number): Promise<DrainResult>;
  metrics(id: string, windowMs: number): Promise<UpstreamMetrics>;
  /**
   * Stops the runtime gracefully (in-flight requests get `graceMs` to finish) and resolves once it has finished:
   * the runtime closes its control connections after its last write, just before it exits.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Calls any registered method, including ones other modules added (e.g. `apps.start`); `timeoutMs` overrides the client's. */
  call<T = unknown>(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<T>;
  close(): void;
}

export function socketPath(stateDir: string): string {
  return join(stateDir, SOCKET_FILE);
}

export interface ConnectOptions {
  /** How long a call may wait for its answer (a drain waits its own timeout on top). Default 30 s. */
  callTimeoutMs?: number;
}

/** Connects to the router of a state dir. Fails with ControlError('unreachable') when none is running. */
export function connectRouter(stateDir: string, options: ConnectOptions = {}): Promise<RouterClient> {
  const path = socketPath(stateDir);
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(new SocketRouterClient(socket, path, options.callTimeoutMs ?? 30_000));
    });
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new ControlError('unreachable', `no router is listening on ${path} (${error.code ?? error.message})`));
    socket.once('error', onError);
  });
}

/**
 * A client over any stream that carries the control protocol, e.g. the stdio of `docker exec -i <router>
 * node control-relay.js`, which reaches a router in a container on a remote engine. `where` names it in errors.
 */
export function routerClientOver(stream: Duplex, where: string, options: ConnectOptions = {}): RouterClient {
  return new SocketRouterClient(stream, where, options.callTimeoutMs ?? 30_000);
}

class SocketRouterClient implements RouterClient {
  private nextId = 1;
  private buffer = '';
  private ended = false;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly socket: Duplex,
    private readonly path: string,
    private readonly callTimeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const failAll = () => {
      this.ended = true;
      for (const { reject } of this.pending.values()) reject(new ControlError('unreachable', `router on ${this.path} closed the connection`));
      this.pending.clear();
    };
    // A stream (a relay's stdio) may end without closing; no answer comes after its end either way.
    socket.on('end', failAll);
    socket.on('close', failAll);
    socket.on('error', failAll);
  }

  status(): Promise<RouterStatus> {
    return this.call('router.status');
  }

  setActive(upstream: Upstream, options: { drainTimeoutMs?: number } = {}): Promise<SetActiveResult> {
    return this.call('router.setActive', { upstream: { id: upstream.id, url: upstream.url }, ...options });
  }

  setWeights(upstream: Upstream, percent: number, options: { sticky?: boolean } = {}): Promise<RoutingTable> {
    return this.call('router.setWeights', { upstream: { id: upstream.id, url: upstream.url }, percent, sticky: options.sticky ?? false });
  }

  drain(id: string, timeoutMs: number): Promise<DrainResult> {
    return this.request('router.drain', { id, timeoutMs }, timeoutMs + this.callTimeoutMs);
  }

  metrics(id: string, windowMs: number): Promise<UpstreamMetrics> {
    return this.call('router.metrics', { id, windowMs });
  }

  async shutdown(graceMs?: number): Promise<void> {
    if (this.socket.destroyed) throw new ControlError('unreachable', `router connection on ${this.path} is closed`);
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    // An answer, or the connection closing first: either way the runtime is stopping.
    await this.call('router.shutdown', graceMs === undefined ? {} : { graceMs }).catch((error: unknown) => {
      if (!this.socket.destroyed) throw error;
    });
    // Its own grace, then the shutdown hooks (stopping apps, saving apps.json), each bounded by callTimeoutMs.
    const limitMs = (graceMs ?? 10_000) + this.callTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ControlError('unreachable', `router on ${this.path} did not finish stopping within ${limitMs} ms`)), limitMs);
    });
    await Promise.race([closed, timedOut]).finally(() => clearTimeout(timer));
  }

  call<T = unknown>(method: string, params: unknown = {}, options: { timeoutMs?: number } = {}): Promise<T> {
    return this.request(method, params, options.timeoutMs ?? this.callTimeoutMs);
  }

  private request<T>(method: string, params: unknown, timeoutMs: number): Promise<T> {
    if (this.socket.destroyed || this.ended) return Promise.reject(new ControlError('unreachable', `router connection on ${this.path} is closed`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ControlError('unreachable', `router on ${this.path} did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      let response: ControlResponse;
      try {
        response = JSON.parse(line) as ControlResponse;
      } catch {
        continue; // Not ours to crash on; the waiting call times out.
      }
      const waiter = this.pending.get(response.id);
      if (!waiter) continue;
      this.pending.delete(response.id);
      if (response.error) waiter.reject(new ControlError(response.error.code, response.error.message, response.error.exitCode));
      else waiter.resolve(response.result);
    }
  }
}
