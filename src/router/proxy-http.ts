import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';
import type { UpstreamMeter } from './meter.js';

/** What the HTTP proxy needs from the router for one request. */
export interface ProxyTarget {
  origin: string;
  dispatcher: Pool;
  meter: UpstreamMeter;
  /** Extra response headers, e.g. a Set-Cookie for a new sticky key. */
  extraHeaders?: string[];
  /** Value of the x-shipgate-flags request header (src/router/flags.ts); a client's own one is replaced. */
  flagsHeader?: string;
  /** Cohort meters (one per flag) that record this request too. */
  extraMeters?: UpstreamMeter[];
}

const BAD_GATEWAY_BODY = 'Bad Gateway\n';

/**
 * One proxied request, written as an undici dispatch handler (the legacy raw-header interface, which undici calls
 * directly without wrapping) so response headers go from raw buffers to `writeHead` without an intermediate object.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private abortUpstream: ((error?: Error) => void) | null = null;
  private status = 0;
  private finished = false;
  private resume: (() => void) | null = null;
  /** Bytes of body still expected when the upstream sent a content-length; lets the last chunk go out with `end`. */
  private remaining = -1;
  private retried = false;

  constructor(
    private readonly request: Dispatcher.DispatchOptions,
    private readonly res: ServerResponse,
    private readonly target: ProxyTarget,
    private readonly startedAt: number,
  ) {
    target.meter.inFlight++;
    res.on('close', () => this.onClientClose());
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx informational responses are not relayed.
    this.status = statusCode;
    const headers = clientResponseHeaders(rawHeaders, this.target.extraHeaders);
    this.remaining = headers.contentLength;
    this.resume = resume;
    this.res.writeHead(statusCode, statusText, headers.list);
    return true;
  }

  onData(chunk: Buffer): boolean {
    const res = this.res;
    if (this.remaining === chunk.length) {
      // The whole rest of the body: one `end(chunk)` sends it together with the head when nothing was written yet.
      this.remaining = 0;
      res.end(chunk);
      return true;
    }
    if (this.remaining > 0) this.remaining -= chunk.length;
    if (res.write(chunk)) return true;
    res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    if (!this.res.writableEnded) this.res.end();
    this.done(false);
  }

  onError(error: Error): void {
    const res = this.res;
    if (this.mayRetry(error)) {
      this.retried = true;
      this.abortUpstream = null;
      this.target.dispatcher.dispatch(this.request, this);
      return;
    }
    if (!res.headersSent && !res.destroyed) {
      this.status = 502;
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': BAD_GATEWAY_BODY.length });
      res.end(BAD_GATEWAY_BODY);
      this.done(true);
    } else {
      // Headers are already out: the only honest signal left is to cut the connection. It counts as a proxy error.
      res.destroy(error);
      this.done(true);
    }
  }

  /**
   * A keep-alive connection the upstream closed just as a request went out fails with a socket error before any
   * answer. Like Go's transport, retry such a request once when it has no body and is idempotent.
   */
  private mayRetry(error: Error): boolean {
    if (this.retried || this.finished || this.status !== 0 || this.res.headersSent || this.request.body !== null) return false;
    const method = this.request.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false;
    const code = (error as { code?: string }).code;
    return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
  }

  private onClientClose(): void {
    if (this.finished) return;
    // The client went away before the response ended: record it as 499, then stop the upstream request too.
    this.done(false);
    this.abortUpstream?.(new Error('client closed the connection'));
  }

  private done(proxyError: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const meter = this.target.meter;
    meter.inFlight--;
    const status = proxyError ? 502 : this.status || 499;
    const latencyUs = (performance.now() - this.startedAt) * 1000;
    meter.record(status, latencyUs, proxyError);
    if (this.target.extraMeters) for (const extra of this.target.extraMeters) extra.record(status, latencyUs, proxyError);
  }
}

export function proxyHttp(req: IncomingMessage, res: ServerResponse, target: ProxyTarget): void {
  const startedAt = performance.now();
  const { headers, hasBody } = upstreamRequestHeaders(req);
  if (target.flagsHeader !== undefined) setFlagsHeader(headers, target.flagsHeader);
  const request: Dispatcher.DispatchOptions = {
    origin: target.origin,
    path: req.url ?? '/',
    method: req.method as Dispatcher.HttpMethod,
    headers,
    body: hasBody ? req : null,
  };
  target.dispatcher.dispatch(request, new Exchange(request, res, target, startedAt));
}

function setFlagsHeader(headers: string[], value: string): void {
  // Any x-shipgate-flags the client sent was already dropped with the hop-by-hop headers (forward-headers.ts).
  headers.push('x-shipgate-flags', value);
}
