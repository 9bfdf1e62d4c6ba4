import type { Socket } from 'node:net';
import type { UpstreamMeter } from '../meter.js';
import type { UpstreamConnection, UpstreamOwner } from './upstream-pool.js';

/**
 * A connection after `101 Switching Protocols` (WebSocket): bytes are relayed raw both ways with backpressure. It
 * stays with the upstream it was opened on across switches, and is counted in the meter's `websockets`.
 */
export class Tunnel implements UpstreamOwner {
  private open = true;
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
    if (!this.client.write(Buffer.from(chunk))) this.upstream.socket.pause();
  }

  onUpstreamDrain(): void {
    this.client.resume();
  }

  onClientDrain(): void {
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
