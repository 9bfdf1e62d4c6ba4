import type { UpstreamMeter } from '../meter.js';
import { ChunkedScanner } from './chunked.js';
import type { ClientConnection } from './client-connection.js';
import { HeadError, headLength, rewriteHead } from './head-scan.js';
import type { ProxyTarget } from './proxy-target.js';
import { KEPT_HOST, requestTarget, type RequestHead } from './request-head.js';
import { rewriteRequestHead } from './request-rewrite.js';
import { trustedForwardingLines } from './forwarding.js';
import { parseResponseHead, type ResponseHead } from './response-head.js';
import { BAD_GATEWAY, BAD_GATEWAY_CLOSE, plainResponse } from './responses.js';
import type { UpstreamConnection, UpstreamOwner } from './upstream-pool.js';

const RES_HEAD = 0;
const RES_LENGTH = 1;
const RES_CHUNKED = 2;
const RES_CLOSE = 3;
const RES_DONE = 4;

const MAX_RESPONSE_HEAD = 64 * 1024;
/** Body bytes that arrive with the response head are copied into the head's buffer up to this size: one write. */
const MERGE_LIMIT = 16 * 1024;
const CONNECTION_CLOSE = Buffer.from('connection: close\r\n', 'latin1');

/** Set on the client connection while the upstream cannot take more request body. */
export const PAUSE_BODY = 1;

/**
 * One proxied request/response on a client connection: writes the rewritten head to an upstream connection, relays
 * the request body by its framing, parses the response head, relays the response bytes as they come, and records
 * the outcome in the upstream's meter. Bytes are never re-encoded; only the heads are rewritten.
 */
export class Exchange implements UpstreamOwner {
  /** The whole request body has been relayed. */
  reqDone: boolean;
  finished = false;
  private upstream: UpstreamConnection | null = null;
  private readonly headOut: Buffer;
  private reqRemaining: number;
  /** Bytes of a chunked request body (framing included) relayed so far, against the body size limit. */
  private reqChunkedBytes = 0;
  private readonly reqScanner: ChunkedScanner | null;
  private state = RES_HEAD;
  private resBuf: Buffer | null = null;
  private resRemaining = 0;
  private resScanner: ChunkedScanner | null = null;
  private status = 0;
  /** Any byte came back from the upstream. */
  private received = false;
  /** The response head went out to the client. */
  private headSent = false;
  private closeClient: boolean;
  /** The upstream connection can serve another request afterwards. */
  private reusable: boolean;
  private retried = false;
  private upstreamPaused = false;
  /** Body writes straight from the upstream connection's read buffer whose callback has not come yet. */
  private viewsQueued = 0;
  private onViewWritten: ((error?: Error | null) => void) | null = null;
  /** The finished exchange's upstream connection, kept from the pool until the client socket wrote its views. */
  private heldUpstream: UpstreamConnection | null = null;
  private readonly startedAt = performance.now();
  /** Response bytes written to the client, for the access log. */
  private sent = 0;
  /** The request target, kept only when there is an access log. */
  private readonly path: string;
  private readonly startTick: number;

  constructor(
    private readonly client: ClientConnection,
    private readonly target: ProxyTarget,
    private readonly head: RequestHead,
    buf: Buffer,
  ) {
    target.meter.inFlight++;
    this.startTick = client.server.tick;
    this.reqDone = !head.chunked && head.contentLength <= 0;
    this.reqRemaining = head.contentLength;
    this.reqScanner = head.chunked ? new ChunkedScanner() : null;
    this.closeClient = !head.keepAlive;
    // A request sent as HTTP/1.0 gets a close-delimited answer: that upstream connection cannot be reused.
    this.reusable = head.minor === 1;
    let extra = head.upgrade ? `${target.requestHeaders}connection: upgrade\r\n` : target.requestHeaders;
    let fixed: Buffer | null = client.forwardedLines;
    if (client.trusted) {
      extra = trustedForwardingLines(head, client.remote, client.proto) + extra;
      fixed = null;
    }
    this.headOut = rewriteRequestHead(buf, head, fixed, extra, (head.kept & KEPT_HOST) === 0);
    this.path = client.server.accessLog === null ? '' : requestTarget(buf, head);
  }

  /** Sends the head, and the part of the body already received. Returns the bytes of `rest` past this request. */
  begin(rest: Buffer | null): Buffer | null {
    const socket = (this.upstream = this.target.pool.acquire(this, this.startedAt)).socket;
    if (this.reqDone || rest === null) {
      socket.write(this.headOut);
      return rest;
    }
    socket.cork();
    socket.write(this.headOut);
    const used = this.feedBody(rest, 0);
    socket.uncork();
    return used < rest.length ? rest.subarray(used) : null;
  }

  /** Relays request body bytes from `chunk[start…]`; returns the index just past the body's end (or chunk.length). */
  feedBody(chunk: Buffer, start: number): number {
    if (this.finished) return chunk.length;
    let end: number;
    let complete: boolean;
    if (this.reqScanner !== null) {
      let at: number;
      try {
        at = this.reqScanner.scan(chunk, start);
      } catch {
        this.refuseBody(400, 'Bad Request: malformed chunked body');
        return chunk.length;
      }
      complete = at >= 0;
      end = complete ? at : chunk.length;
      const maxBody = this.client.server.limits.maxBodyBytes;
      if (maxBody > 0 && (this.reqChunkedBytes += end - start) > maxBody) {
        this.refuseBody(413, 'Content Too Large');
        return chunk.length;
      }
    } else {
      const take = Math.min(this.reqRemaining, chunk.length - start);
      this.reqRemaining -= take;
      end = start + take;
      complete = this.reqRemaining === 0;
    }
    const upstream = this.upstream;
    if (end > start && upstream !== null) {
      if (!upstream.socket.write(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))) this.client.pause(PAUSE_BODY);
    }
    if (complete) this.reqDone = true;
    return end;
  }

  onUpstreamData(chunk: Buffer): void {
    this.received = true;
    if (this.state === RES_HEAD) this.onResponseHead(chunk);
    else this.relay(chunk, 0);
  }

  onUpstreamDrain(): void {
    this.client.resume(PAUSE_BODY);
  }

  onClientDrain(): void {
    // Nothing is queued on the client socket any more: the read buffer is free, whatever callbacks are still due.
    this.releaseHeld();
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      this.upstream?.socket.resume();
    }
  }

  onUpstreamClose(error: NodeJS.ErrnoException | undefined, connection: UpstreamConnection): void {
    if (connection !== this.upstream) return;
    this.upstream = null;
    if (this.finished) return;
    // A body without length or chunking ends when the upstream closes.
    if (this.state === RES_CLOSE) return this.finish();
    if (!this.received && this.mayRetry(error, connection)) return this.retry();
    this.failUpstream();
  }

  /** Called once a second: an upstream that sent no response head within `ticks` seconds gets a 502. */
  expire(tick: number, ticks: number): void {
    if (!this.finished && this.state === RES_HEAD && tick - this.startTick > ticks) this.failUpstream();
  }

  /** The client went away before the response ended: recorded as 499, and the upstream connection is dropped. */
  abort(): void {
    this.heldUpstream?.destroy();
    this.heldUpstream = null;
    if (this.finished) return;
    this.finished = true;
    this.record(499, false);
    const upstream = this.upstream;
    this.upstream = null;
    upstream?.destroy();
  }

  private onResponseHead(chunk: Buffer): void {
    let from = 0;
    let buf = chunk;
    if (this.resBuf !== null) {
      from = this.resBuf.length - 3;
      buf = Buffer.concat([this.resBuf, chunk]);
    }
    for (;;) {
      const length = headLength(buf, from);
      if (length < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) return this.failUpstream();
        this.resBuf = Buffer.from(buf);
        return;
      }
      this.resBuf = null;
      const parsed = parseResponseHead(buf, length);
      if (parsed instanceof HeadError) return this.failUpstream();
      if (parsed.status === 101) return this.head.upgrade ? this.switchProtocols(buf, parsed, length) : this.failUpstream();
      if (parsed.status >= 200) return this.startBody(buf, parsed, length);
      // An interim answer (100 Continue, 103 Early Hints) is relayed; the final one follows.
      this.writeClient(rewriteHead(buf, parsed.drop, parsed.end, null, '', 0, 0));
      if (length === buf.length) return;
      buf = buf.subarray(length);
      from = 0;
    }
  }

  private startBody(buf: Buffer, parsed: ResponseHead, headLength: number): void {
    const status = (this.status = parsed.status);
    let state: number;
    if (this.head.method === 'HEAD' || status === 204 || status === 304 || parsed.contentLength === 0) state = RES_DONE;
    else if (parsed.chunked) state = RES_CHUNKED;
    else if (parsed.otherCoding || parsed.contentLength < 0) state = RES_CLOSE;
    else state = RES_LENGTH;
    if (!parsed.keepAlive || state === RES_CLOSE) this.reusable = false;
    // The client connection cannot carry another request when the body ends with the connection, or when the rest
    // of this request's body would have to be read and thrown away.
    if (state === RES_CLOSE || !this.reqDone || this.client.server.closing) this.closeClient = true;
    const added = this.closeClient ? CONNECTION_CLOSE : null;

    let bodyEnd = headLength;
    let complete = state === RES_DONE;
    if (state === RES_LENGTH) {
      const take = Math.min(parsed.contentLength, buf.length - headLength);
      this.resRemaining = parsed.contentLength - take;
      bodyEnd += take;
      complete = this.resRemaining === 0;
    } else if (state === RES_CHUNKED) {
      const scanner = (this.resScanner = new ChunkedScanner());
      let at: number;
      try {
        at = scanner.scan(buf, headLength);
      } catch {
        return this.failUpstream();
      }
      complete = at >= 0;
      bodyEnd = complete ? at : buf.length;
    } else if (state === RES_CLOSE) bodyEnd = buf.length;
    if (bodyEnd < buf.length) this.reusable = false;
    this.state = state;
    this.headSent = true;
    const extra = this.client.proto === 'https' ? this.target.responseHeaders + this.client.server.hsts : this.target.responseHeaders;
    if (bodyEnd - headLength <= MERGE_LIMIT) this.writeClient(rewriteHead(buf, parsed.drop, parsed.end, added, extra, headLength, bodyEnd));
    else {
      const socket = this.client.socket;
      socket.cork();
      this.writeClient(rewriteHead(buf, parsed.drop, parsed.end, added, extra, 0, 0));
      this.writeView(buf.subarray(headLength, bodyEnd));
      socket.uncork();
      this.holdWhileQueued();
    }
    if (complete) this.finish();
  }

  private relay(chunk: Buffer, start: number): void {
    let end = chunk.length;
    let complete = false;
    if (this.state === RES_LENGTH) {
      const take = Math.min(this.resRemaining, end - start);
      this.resRemaining -= take;
      end = start + take;
      complete = this.resRemaining === 0;
    } else if (this.state === RES_CHUNKED) {
      let at: number;
      try {
        at = this.resScanner!.scan(chunk, start);
      } catch {
        return this.failUpstream();
      }
      if (at >= 0) {
        end = at;
        complete = true;
      }
    } else if (this.state === RES_DONE) {
      this.reusable = false;
      return;
    }
    if (end < chunk.length) this.reusable = false;
    if (end > start) {
      this.writeView(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
      this.holdWhileQueued();
    }
    if (complete) this.finish();
  }

  /**
   * Body bytes go to the client as they lie in the upstream connection's read buffer, without a copy (a copy per
   * read was most of the router's work for clients that read slowly, and their memory). The price: while the client
   * socket still queues them, the upstream must read nothing (the next read would overwrite them) and serve no other
   * request; `holdWhileQueued` and `finish` see to that, and the write's callback or the client's drain ends it.
   */
  private writeView(view: Buffer): void {
    this.sent += view.length;
    this.viewsQueued++;
    if (!this.client.socket.write(view, (this.onViewWritten ??= (error) => this.viewWritten(error)))) this.client.stalled();
  }

  private holdWhileQueued(): void {
    if (this.client.socket.writableLength === 0 || this.upstreamPaused || this.upstream === null) return;
    this.upstreamPaused = true;
    this.upstream.socket.pause();
  }

  private viewWritten(error: Error | null | undefined): void {
    this.viewsQueued--;
    if (error) {
      this.heldUpstream?.destroy();
      this.heldUpstream = null;
      return;
    }
    if (this.viewsQueued > 0) return;
    this.releaseHeld();
    if (this.upstreamPaused && !this.client.socket.writableNeedDrain) {
      this.upstreamPaused = false;
      this.upstream?.socket.resume();
    }
  }

  private releaseHeld(): void {
    const held = this.heldUpstream;
    if (held === null) return;
    this.heldUpstream = null;
    this.target.pool.release(held, performance.now());
  }

  private writeClient(data: Buffer): void {
    this.sent += data.length;
    if (!this.client.socket.write(data)) {
      this.client.stalled();
      if (!this.upstreamPaused && this.upstream !== null) {
        this.upstreamPaused = true;
        this.upstream.socket.pause();
      }
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.state = RES_DONE;
    const now = this.record(this.status, false);
    if (!this.reqDone) {
      this.reusable = false;
      this.closeClient = true;
    }
    const upstream = this.upstream;
    this.upstream = null;
    if (upstream !== null) {
      if (!this.reusable) upstream.destroy();
      else if (this.viewsQueued > 0 && this.client.socket.writableLength > 0) this.heldUpstream = upstream;
      else this.target.pool.release(upstream, now);
    }
    this.client.exchangeDone(this.closeClient);
  }

  /**
   * The upstream failed or sent something unparseable. Before the response head went out the client gets a 502;
   * after it, cutting the client connection is the only honest signal left. Both count as proxy errors.
   */
  private failUpstream(): void {
    const upstream = this.upstream;
    this.upstream = null;
    upstream?.destroy();
    if (this.finished) return;
    this.finished = true;
    this.record(502, true);
    if (this.headSent) {
      this.client.socket.destroy();
      return;
    }
    const close = this.closeClient || !this.reqDone;
    this.client.socket.write(close ? BAD_GATEWAY_CLOSE : BAD_GATEWAY);
    this.client.exchangeDone(close);
  }

  /**
   * A request body the router will not finish relaying (malformed chunks, too large, stalled): the upstream already
   * has part of it, so both connections are dropped; the client gets `status` unless its answer already started.
   */
  refuseBody(status: number, reason: string): void {
    if (this.finished) return;
    const upstream = this.upstream;
    this.upstream = null;
    upstream?.destroy();
    this.finished = true;
    this.record(status, false);
    if (this.headSent) this.client.socket.destroy();
    else {
      this.client.socket.write(plainResponse(status, reason, true));
      this.client.exchangeDone(true);
    }
  }

  /**
   * A connection the upstream closed just as the request went out fails before any answer. Like Go's transport,
   * such a request is retried once on a new connection when it has no body and is idempotent. A refused connection
   * is not retried: the upstream is down.
   */
  private mayRetry(error: NodeJS.ErrnoException | undefined, connection: UpstreamConnection): boolean {
    if (this.retried || !this.reqDone || this.head.contentLength > 0 || this.head.chunked) return false;
    const method = this.head.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') return false;
    const code = error?.code;
    return connection.reused || code === undefined || code === 'ECONNRESET' || code === 'EPIPE';
  }

  private retry(): void {
    this.retried = true;
    this.upstream = this.target.pool.open(this);
    this.upstream.socket.write(this.headOut);
  }

  /** 101: the head goes to the client, then both connections are relayed raw (WebSocket). */
  private switchProtocols(buf: Buffer, parsed: ResponseHead, headLength: number): void {
    this.finished = true;
    this.target.meter.inFlight--;
    const upstream = this.upstream!;
    this.upstream = null;
    this.client.socket.write(rewriteHead(buf, parsed.drop, parsed.end, null, '', headLength, buf.length));
    this.client.startTunnel(upstream, this.target.meter);
  }

  /** Records the outcome; returns the `performance.now()` it ended at. */
  private record(status: number, proxyError: boolean): number {
    const meter: UpstreamMeter = this.target.meter;
    meter.inFlight--;
    const now = performance.now();
    const latencyUs = (now - this.startedAt) * 1000;
    meter.record(status, latencyUs, proxyError);
    const extra = this.target.extraMeters;
    if (extra !== null) for (const cohort of extra) cohort.record(status, latencyUs, proxyError);
    this.client.server.accessLog?.add(this.head.method, this.path, status, this.sent, latencyUs / 1000, meter.upstream, this.client.remote);
    return now;
  }
}
