import type { Socket } from 'node:net';
import type { UpstreamMeter } from '../meter.js';
import type { UpstreamConnection, UpstreamOwner } from './upstream-pool.js';

/**
 * A connection after `101 Switching Protocols` (WebSocket): bytes are relayed raw both ways with backpressure. It
 * stays with the upstream it was opened on across switches, and is counted in the meter's `websockets`.
 *
 * Upstream bytes go to the client as they lie in the upstream connection's read buffer, without a copy, as response
 * bodies do (exchange.ts `writeView`): while the client socket still queues some of them, the upstream reads nothing,
 * since its next read would overwrite them. The write's callback, or the client's drain, lets it read again. Client
 * bytes arrive in a buffer of their own (node's `data` event) and are written on as they are.
 */
export class Tunnel implements UpstreamOwner {
  private open = true;
  /** Writes straight from the upstream's read buffer whose callback has not come yet. */
  private viewsQueued = 0;
  /** The upstream is paused until the client socket has written what it queues from the read buffer. */
  private upstreamHeld = false;
  private readonly onViewWritten = (error?: Error | null) => this.viewWritten(error);
  /** Clock tick of the last byte either way: the idle timeout counts from it. */
  lastActive: number;

  constructor(
    private readonly client: Socket,
    private readonly upstream: UpstreamConnection,
    private readonly meter: UpstreamMeter,
    private readonly clock: { readonly tick: number },
  ) {
    meter.websockets++;
    upstream.owner = this;
    this.lastActive = clock.tick;
  }

  to(meter: UpstreamMeter): boolean {
    return this.meter === meter;
  }

  fromClient(chunk: Buffer): void {
    this.lastActive = this.clock.tick;
    if (!this.upstream.socket.write(chunk)) this.client.pause();
  }

  onUpstreamData(chunk: Buffer): void {
    this.lastActive = this.clock.tick;
    this.viewsQueued++;
    const client = this.client;
    client.write(chunk, this.onViewWritten);
    // Written through at once (plain TCP mostly is): the read buffer is free again.
    if (client.writableLength > 0 && !this.upstreamHeld) {
      this.upstreamHeld = true;
      this.upstream.socket.pause();
    }
  }

  onUpstreamDrain(): void {
    this.client.resume();
  }

  onClientDrain(): void {
    // Nothing is queued on the client socket any more, whatever write callbacks are still due.
    this.releaseUpstream();
  }

  private viewWritten(error: Error | null | undefined): void {
    this.viewsQueued--;
    if (!error && this.viewsQueued === 0) this.releaseUpstream();
  }

  private releaseUpstream(): void {
    if (!this.upstreamHeld) return;
    this.upstreamHeld = false;
    this.upstream.socket.resume();
  }

  onUpstreamClose(): void {
    this.done();
    const client = this.client;
    client.end(() => client.destroy());
  }

  clientEnded(): void {
    this.upstream.socket.end();
  }

  clientClosed(): void {
    this.done();
    this.upstream.destroy();
  }

  private done(): void {
    if (!this.open) return;
    this.open = false;
    this.meter.websockets--;
  }
}
