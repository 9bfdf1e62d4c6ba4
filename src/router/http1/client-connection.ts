import type { Socket } from 'node:net';
import type { UpstreamMeter } from '../meter.js';
import { Exchange } from './exchange.js';
import { HeadError, headLength } from './head-scan.js';
import type { ProxyServer } from './proxy-server.js';
import { parseRequestHead, type RequestHead } from './request-head.js';
import { NO_RELEASE, NO_RELEASE_CLOSE, plainResponse } from './responses.js';
import { Tunnel } from './tunnel.js';
import type { UpstreamConnection } from './upstream-pool.js';

/** Largest request head accepted (node's default); a longer one is answered 431. */
export const MAX_REQUEST_HEAD = 16 * 1024;
/** Bytes of pipelined requests buffered while one is in flight before the client is paused. */
const MAX_PIPELINED = 64 * 1024;
const PAUSE_PIPELINE = 2;

/**
 * One client connection: reads request heads, and hands each request to an Exchange. Pipelined requests are
 * served one at a time, in order. After a 101 the connection becomes a Tunnel.
 */
export class ClientConnection {
  exchange: Exchange | null = null;
  readonly remote: string;
  /** The X-Forwarded-For and -Proto lines for requests that bring no X-Forwarded-For of their own. */
  readonly forwardedLines: Buffer;
  /** Server tick when the connection last became ready for a request: the idle and head timeouts count from it. */
  since: number;
  private tunnel: Tunnel | null = null;
  private pending: Buffer | null = null;
  /** Bytes at the start of `pending` already searched for the end of a head: a head sent in pieces is scanned once. */
  private scanned = 0;
  private paused = 0;
  private closed = false;

  constructor(
    readonly socket: Socket,
    readonly server: ProxyServer,
  ) {
    this.remote = socket.remoteAddress ?? '';
    this.forwardedLines = Buffer.from(`x-forwarded-for: ${this.remote}\r\nx-forwarded-proto: http\r\n`, 'latin1');
    this.since = server.tick;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.exchange?.onClientDrain();
      this.tunnel?.onClientDrain();
    });
    socket.on('end', () => this.onEnd());
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  /** No request in flight and no tunnel: safe to close. */
  get idle(): boolean {
    return this.exchange === null && this.tunnel === null;
  }

  pause(reason: number): void {
    if (this.paused === 0) this.socket.pause();
    this.paused |= reason;
  }

  resume(reason: number): void {
    if ((this.paused & reason) === 0) return;
    this.paused &= ~reason;
    if (this.paused === 0) this.socket.resume();
  }

  /** Called by the exchange when its response is complete (or failed with an answer). */
  exchangeDone(closeAfter: boolean): void {
    this.exchange = null;
    if (closeAfter || this.server.closing) return this.close();
    if (this.paused !== 0) {
      this.paused = 0;
      this.socket.resume();
    }
    this.since = this.server.tick;
    if (this.pending !== null) this.next();
  }

  startTunnel(upstream: UpstreamConnection, meter: UpstreamMeter): void {
    this.exchange = null;
    const tunnel = (this.tunnel = new Tunnel(this.socket, upstream, meter));
    if (this.paused !== 0) {
      this.paused = 0;
      this.socket.resume();
    }
    if (this.pending !== null) {
      tunnel.fromClient(this.pending);
      this.pending = null;
    }
  }

  /** Ends the connection once what was written is flushed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const socket = this.socket;
    socket.end(() => socket.destroy());
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.tunnel !== null) return this.tunnel.fromClient(chunk);
    const exchange = this.exchange;
    if (exchange !== null) {
      const used = exchange.reqDone ? 0 : exchange.feedBody(chunk, 0);
      if (used < chunk.length) this.queue(used === 0 ? chunk : chunk.subarray(used));
      return;
    }
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.next();
  }

  private queue(chunk: Buffer): void {
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_PIPELINED) this.pause(PAUSE_PIPELINE);
  }

  /** Starts the next buffered request, if its head is complete. */
  private next(): void {
    while (this.exchange === null && this.tunnel === null && !this.closed) {
      let buf = this.pending;
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      while (buf !== null && buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
        buf = buf.length === 2 ? null : buf.subarray(2);
        this.scanned = this.scanned > 2 ? this.scanned - 2 : 0;
      }
      this.pending = buf;
      if (buf === null) return;
      const length = headLength(buf, this.scanned);
      if (length < 0 || length > MAX_REQUEST_HEAD) {
        if (length >= 0 || buf.length > MAX_REQUEST_HEAD) return this.reject(431, 'Request Header Fields Too Large');
        this.scanned = buf.length;
        return;
      }
      this.scanned = 0;
      const head = parseRequestHead(buf, length, this.server.routing.userHeader);
      if (head instanceof HeadError) return this.reject(head.status, head.reason);
      this.pending = null;
      this.start(head, buf, length < buf.length ? buf.subarray(length) : null);
    }
  }

  private start(head: RequestHead, buf: Buffer, rest: Buffer | null): void {
    const target = this.server.routing.route(head);
    if (target === null) {
      const close = !head.keepAlive || head.upgrade || head.chunked || head.contentLength > 0 || this.server.closing;
      this.socket.write(close ? NO_RELEASE_CLOSE : NO_RELEASE);
      if (close) return this.close();
      this.pending = rest;
      this.since = this.server.tick;
      return;
    }
    const exchange = (this.exchange = new Exchange(this, target, head, buf));
    const left = exchange.begin(rest);
    if (left !== null && this.exchange === exchange) this.queue(left);
  }

  /** A head the router refuses: answered, nothing forwarded, connection closed. */
  private reject(status: number, reason: string): void {
    this.socket.write(plainResponse(status, reason, true));
    this.pending = null;
    this.close();
  }

  /**
   * A client's FIN is taken as the end of the connection, as node's HTTP server does: a request in flight is
   * cancelled (499) and its upstream connection dropped. A tunnel passes the half-close on instead.
   */
  private onEnd(): void {
    if (this.tunnel !== null) return this.tunnel.clientEnded();
    this.exchange?.abort();
    this.exchange = null;
    this.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.server.forget(this);
    this.exchange?.abort();
    this.exchange = null;
    this.tunnel?.clientClosed();
    this.tunnel = null;
  }
}
