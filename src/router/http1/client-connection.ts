import type { Socket } from 'node:net';
import type { UpstreamMeter } from '../meter.js';
import { Exchange } from './exchange.js';
import { HeadError, headLength } from './head-scan.js';
import type { ProxyServer } from './proxy-server.js';
import { parseRequestHead, requestTarget, type RequestHead } from './request-head.js';
import { NO_RELEASE, NO_RELEASE_CLOSE, plainResponse } from './responses.js';
import { clientForwardingLines } from './forwarding.js';
import { Tunnel } from './tunnel.js';
import type { UpstreamConnection } from './upstream-pool.js';

/** Bytes of pipelined requests buffered while one is in flight before the client is paused; also the most response
 * bytes left unsent before the next pipelined request is started. */
const MAX_PIPELINED = 64 * 1024;
const PAUSE_PIPELINE = 2;
/** Set while a request waits for a paused router to be resumed. */
const PAUSE_HELD = 4;

const CONNECTION = Symbol('client connection');
type OwnedSocket = Socket & { [CONNECTION]: ClientConnection };
const ignore = () => undefined;

/**
 * One client connection: reads request heads, and hands each request to an Exchange. Pipelined requests are
 * served one at a time, in order. After a 101 the connection becomes a Tunnel.
 */
export class ClientConnection {
  exchange: Exchange | null = null;
  readonly remote: string;
  /** The peer is a trusted proxy: its forwarding headers are extended, not replaced. */
  readonly trusted: boolean;
  /** The router's forwarding lines for an untrusted peer, the same on every request; made at its first request. */
  private lines: Buffer | null | undefined;
  /** Server tick when the connection became idle, or when the first byte of a request head came: timeouts count from it. */
  since: number;
  /** Server tick of the last byte read from the client. */
  private lastRead: number;
  /** Server tick since when response bytes wait for a client that does not read; -1 when none wait. */
  private stalledSince = -1;
  /** The next pipelined request waits until the client read what it was sent. */
  private waitingDrain = false;
  /** A request head (with the bytes after it) waiting for a paused router, and the tick it started waiting. */
  private held: { head: RequestHead; buf: Buffer; rest: Buffer | null; since: number } | null = null;
  private tunnel: Tunnel | null = null;
  private pending: Buffer | null = null;
  /** Bytes at the start of `pending` already searched for the end of a head: a head sent in pieces is scanned once. */
  private scanned = 0;
  private paused = 0;
  private closed = false;

  constructor(
    readonly socket: Socket,
    readonly server: ProxyServer,
    readonly proto: 'http' | 'https' = 'http',
  ) {
    this.remote = socket.remoteAddress ?? '';
    this.trusted = server.trusted.has(this.remote);
    this.since = this.lastRead = server.tick;
    // The same five functions for every connection, which they find on the socket: closures made per connection were
    // a fifth of what an idle keep-alive connection holds.
    (socket as OwnedSocket)[CONNECTION] = this;
    socket.on('data', ClientConnection.onSocketData);
    socket.on('drain', ClientConnection.onSocketDrain);
    socket.on('end', ClientConnection.onSocketEnd);
    socket.on('error', ignore);
    socket.on('close', ClientConnection.onSocketClose);
  }

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    this[CONNECTION].onData(chunk);
  }

  private static onSocketDrain(this: OwnedSocket): void {
    this[CONNECTION].onDrain();
  }

  private static onSocketEnd(this: OwnedSocket): void {
    this[CONNECTION].onEnd();
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[CONNECTION].onClose();
  }

  /** Null for a trusted proxy, whose lines are built per request from its own. */
  get forwardedLines(): Buffer | null {
    if (this.lines === undefined) this.lines = this.trusted ? null : clientForwardingLines(this.remote, this.proto);
    return this.lines;
  }

  /** No request in flight and no tunnel: safe to close. */
  get idle(): boolean {
    return this.exchange === null && this.tunnel === null;
  }

  /** A write to the client was refused: the send timeout starts, unless it already runs. */
  stalled(): void {
    if (this.stalledSince < 0) this.stalledSince = this.server.tick;
  }

  /** Applies the timeouts of the limits at server tick `tick` (see ProxyServer). */
  expire(tick: number): void {
    const ticks = this.server.ticks;
    const held = this.held;
    if (held !== null) {
      const failAfter = Math.ceil((this.server.routing.gate?.failAfterMs ?? 0) / this.server.tickMs);
      if (tick - held.since > failAfter) {
        this.unhold();
        this.reject(504, 'Gateway Timeout: the site is paused');
      }
      return;
    }
    if (this.stalledSince >= 0 && tick - this.stalledSince > ticks.send) return this.destroy();
    const tunnel = this.tunnel;
    if (tunnel !== null) {
      if (tick - tunnel.lastActive > ticks.tunnel) this.destroy();
      return;
    }
    const exchange = this.exchange;
    if (exchange !== null) {
      // A body the router is not holding back (paused) but the client stopped sending.
      if (!exchange.reqDone && this.paused === 0 && tick - this.lastRead > ticks.body) exchange.refuseBody(408, 'Request Timeout: request body stalled');
      else exchange.expire(tick, ticks.response);
      return;
    }
    if (this.waitingDrain) return;
    if (this.pending !== null) {
      if (tick - this.since > ticks.head) this.reject(408, 'Request Timeout');
    } else if (tick - this.since > ticks.keepAlive) this.destroy();
  }

  /** Closes this connection's tunnel if it leads to the upstream of `meter`. */
  closeTunnelTo(meter: UpstreamMeter): boolean {
    if (this.tunnel === null || !this.tunnel.to(meter)) return false;
    this.destroy();
    return true;
  }

  /** The router was resumed (or put in maintenance): the held request goes on as if it had just arrived. */
  release(): void {
    const held = this.held;
    if (held === null || this.closed) return;
    const rest = this.unhold(held.rest);
    this.start(held.head, held.buf, rest);
    if (this.exchange === null && this.tunnel === null && this.held === null) this.next();
  }

  /** Stops holding; returns `rest` with what arrived meanwhile appended. */
  private unhold(rest: Buffer | null = null): Buffer | null {
    this.held = null;
    this.server.held.delete(this);
    this.resume(PAUSE_HELD);
    if (this.pending !== null) {
      rest = rest === null ? this.pending : Buffer.concat([rest, this.pending]);
      this.pending = null;
      this.scanned = 0;
    }
    return rest;
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
    const tunnel = (this.tunnel = new Tunnel(this.socket, upstream, meter, this.server));
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
    this.lastRead = this.server.tick;
    if (this.tunnel !== null) return this.tunnel.fromClient(chunk);
    const exchange = this.exchange;
    if (exchange !== null) {
      const used = exchange.reqDone ? 0 : exchange.feedBody(chunk, 0);
      if (used < chunk.length) this.queue(used === 0 ? chunk : chunk.subarray(used));
      return;
    }
    if (this.pending === null) {
      this.since = this.lastRead;
      this.pending = chunk;
    } else this.pending = Buffer.concat([this.pending, chunk]);
    this.next();
  }

  private onDrain(): void {
    this.stalledSince = -1;
    this.exchange?.onClientDrain();
    this.tunnel?.onClientDrain();
    if (this.waitingDrain) {
      this.waitingDrain = false;
      this.next();
    }
  }

  private queue(chunk: Buffer): void {
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length > MAX_PIPELINED) this.pause(PAUSE_PIPELINE);
  }

  /** Starts the next buffered request, if its head is complete. */
  private next(): void {
    while (this.exchange === null && this.tunnel === null && this.held === null && !this.closed) {
      // A client that does not read its answers gets no more of them until it does.
      if (this.socket.writableLength > MAX_PIPELINED) {
        this.waitingDrain = true;
        this.stalled();
        return;
      }
      let buf = this.pending;
      // Empty lines before a request line are ignored (RFC 9112 §2.2).
      while (buf !== null && buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
        buf = buf.length === 2 ? null : buf.subarray(2);
        this.scanned = this.scanned > 2 ? this.scanned - 2 : 0;
      }
      this.pending = buf;
      if (buf === null) return;
      const length = headLength(buf, this.scanned);
      const maxHead = this.server.limits.maxHeaderBytes;
      if (length < 0 || length > maxHead) {
        if (length >= 0 || buf.length > maxHead) return this.reject(431, 'Request Header Fields Too Large');
        this.scanned = buf.length;
        return;
      }
      this.scanned = 0;
      const server = this.server;
      const userHeader = this.trusted || server.trustUserHeader ? server.routing.userHeader : null;
      const head = parseRequestHead(buf, length, userHeader, this.trusted, server.limits.maxHeaderLines);
      if (head instanceof HeadError) return this.reject(head.status, head.reason);
      this.pending = null;
      this.start(head, buf, length < buf.length ? buf.subarray(length) : null);
    }
  }

  private start(head: RequestHead, buf: Buffer, rest: Buffer | null): void {
    const maxBody = this.server.limits.maxBodyBytes;
    if (maxBody > 0 && head.contentLength > maxBody) return this.reject(413, 'Content Too Large');
    if (this.server.acmeChallenges !== null && this.proto === 'http' && this.answerChallenge(head, buf, rest)) return;
    if (this.server.redirectToPort !== null && this.proto === 'http' && !isLoopback(this.remote)) return this.redirect(head, buf, rest, this.server.redirectToPort);
    const gate = this.server.routing.gate;
    if (gate !== null) {
      if (gate.page !== null) return this.answerWithout(head, buf, rest, 503, gate.page, gate.pageClose!);
      if (gate.paused) return this.hold(head, buf, rest);
    }
    const target = this.server.routing.route(head);
    if (target === null) return this.answerWithout(head, buf, rest, 503, NO_RELEASE, NO_RELEASE_CLOSE);
    const exchange = (this.exchange = new Exchange(this, target, head, buf));
    const left = exchange.begin(rest);
    if (left !== null && this.exchange === exchange) this.queue(left);
  }

  /**
   * A request the router answers itself (no release, maintenance). The connection stays open for the next request
   * unless the request has a body the router would have to read and throw away.
   */
  private answerWithout(head: RequestHead, buf: Buffer, rest: Buffer | null, status: number, answer: Buffer, answerClose: Buffer): void {
    const close = !head.keepAlive || head.upgrade || head.chunked || head.contentLength > 0 || this.server.closing;
    this.server.accessLog?.add(head.method, requestTarget(buf, head), status, answer.length, 0, '-', this.remote);
    this.socket.write(close ? answerClose : answer);
    if (close) return this.close();
    this.pending = rest;
    this.since = this.server.tick;
  }

  /** ACME HTTP-01 (src/router/acme/): the router answers the challenge path itself, before any redirect or gate. */
  private answerChallenge(head: RequestHead, buf: Buffer, rest: Buffer | null): boolean {
    const answer = this.server.acmeChallenges!.answerFor(requestTarget(buf, head));
    if (answer === null) return false;
    this.answerWithout(head, buf, rest, answer.status, answer.bytes, answer.bytes);
    return true;
  }

  /** Plain HTTP while TLS is on with `redirect`: 308 to the same host and target over HTTPS. */
  private redirect(head: RequestHead, buf: Buffer, rest: Buffer | null, port: number): void {
    const host = head.hostStart < 0 ? '' : buf.toString('latin1', head.hostStart, head.hostEnd).replace(/:\d+$/, '');
    if (host === '' || !/^[\w.-]+$|^\[[\da-fA-F:.]+\]$/.test(host)) return this.reject(400, 'Bad Request: a Host is needed to redirect to HTTPS');
    const target = head.absolute ? buf.toString('latin1', head.targetStart, head.lineEnd - 9) || '/' : requestTarget(buf, head);
    const location = `https://${host}${port === 443 ? '' : `:${port}`}${target.startsWith('/') ? target : `/${target}`}`;
    const answer = (close: boolean) => plainResponse(308, `Redirecting to ${location}`, close, `location: ${location}\r\n`);
    this.answerWithout(head, buf, rest, 308, answer(false), answer(true));
  }

  private hold(head: RequestHead, buf: Buffer, rest: Buffer | null): void {
    this.held = { head, buf, rest, since: this.server.tick };
    this.server.held.add(this);
    this.pause(PAUSE_HELD);
  }

  /** A head the router refuses: answered, nothing forwarded, connection closed. */
  private reject(status: number, reason: string): void {
    const answer = plainResponse(status, reason, true);
    this.server.accessLog?.add('-', '-', status, answer.length, 0, '-', this.remote);
    this.socket.write(answer);
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

/**
 * The machine's own clients (the deploy's verification probes, health checks, a local proxy) keep plain HTTP when
 * TLS redirects: their requests must reach the release, and no certificate names 127.0.0.1.
 */
function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
