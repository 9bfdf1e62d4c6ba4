import { connect, type Socket } from 'node:net';

/** Whoever currently uses an upstream connection: an exchange, or a tunnel after a 101. */
export interface UpstreamOwner {
  /**
   * Bytes from the upstream. `chunk` lies in the connection's read buffer, which the next read overwrites: anything
   * kept or written past the call must be copied first.
   */
  onUpstreamData(chunk: Buffer): void;
  onUpstreamDrain(): void;
  /** The connection closed while owned. `error` is the socket error, if any. */
  onUpstreamClose(error: NodeJS.ErrnoException | undefined, connection: UpstreamConnection): void;
}

const READ_BUFFER = 32 * 1024;

/** One keep-alive TCP connection to an upstream. Its listeners are set once and forward to the current owner. */
export class UpstreamConnection {
  readonly socket: Socket;
  owner: UpstreamOwner | null = null;
  /** Taken from the idle list rather than newly opened. */
  reused = false;
  idleSince = 0;
  private error: NodeJS.ErrnoException | undefined;

  constructor(private readonly pool: UpstreamPool) {
    // Reads land in one buffer per connection (node's `onread`): no allocation and no stream machinery per read.
    const readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER);
    const socket = (this.socket = connect({
      host: pool.host,
      port: pool.port,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (length: number) => this.onRead(readBuffer, length) },
    }));
    socket.on('drain', () => this.owner?.onUpstreamDrain());
    socket.on('error', (error: NodeJS.ErrnoException) => (this.error = error));
    socket.on('close', () => {
      this.pool.forget(this);
      const owner = this.owner;
      this.owner = null;
      owner?.onUpstreamClose(this.error, this);
    });
  }

  private onRead(buffer: Buffer, length: number): boolean {
    const owner = this.owner;
    // Bytes from an idle upstream belong to no request: the connection cannot be trusted any more.
    if (owner !== null) owner.onUpstreamData(buffer.subarray(0, length));
    else this.socket.destroy();
    return true;
  }

  /** Closes the connection without telling the owner (it is the one closing it). */
  destroy(): void {
    this.owner = null;
    this.socket.destroy();
  }
}

const MAX_IDLE = 512;

/**
 * Keep-alive connections to one upstream origin. A request takes the most recently used idle connection or opens a
 * new one; there is no cap on open connections, like nginx without `max_conns`. Idle connections are closed after
 * `idleMs`, below node's default 5 s server keep-alive so the upstream rarely closes one first.
 */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = [];
  closed = false;
  readonly host: string;
  readonly port: number;

  constructor(
    readonly origin: string,
    private readonly idleMs = 4_000,
  ) {
    const url = new URL(origin);
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = Number(url.port || 80);
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** `now` is the caller's `performance.now()`. */
  acquire(owner: UpstreamOwner, now: number): UpstreamConnection {
    const connection = this.idle.pop();
    if (connection !== undefined) {
      // The most recent idle connection is too old: so are all the others.
      if (now - connection.idleSince >= this.idleMs) {
        connection.destroy();
        this.sweep(Infinity);
        return this.open(owner);
      }
      connection.owner = owner;
      connection.reused = true;
      return connection;
    }
    return this.open(owner);
  }

  /** A new connection, never an idle one: used for a retry after a reused connection failed. */
  open(owner: UpstreamOwner): UpstreamConnection {
    const connection = new UpstreamConnection(this);
    connection.owner = owner;
    return connection;
  }

  release(connection: UpstreamConnection, now: number): void {
    connection.owner = null;
    if (this.closed || this.idle.length >= MAX_IDLE || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    if (connection.socket.isPaused()) connection.socket.resume();
    connection.idleSince = now;
    this.idle.push(connection);
  }

  forget(connection: UpstreamConnection): void {
    const index = this.idle.lastIndexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
  }

  /** Closes connections idle since before `now - idleMs`; the oldest are at the front. */
  sweep(now: number): void {
    while (this.idle.length > 0 && now - this.idle[0].idleSince >= this.idleMs) this.idle.shift()!.destroy();
  }

  /** Closes idle connections now; connections in use are closed when their request ends. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
  }
}
