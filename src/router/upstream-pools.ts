import { Pool } from 'undici';

/** One keep-alive connection pool per upstream origin. Pools of drained upstreams are closed and recreated on demand. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 256,
        keepAliveTimeout: 4_000,
        headersTimeout: 300_000,
        // Streaming responses (SSE, long downloads) may pause for a long time; the client side decides when to give up.
        bodyTimeout: 0,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Lets in-flight requests finish, then releases the idle connections. */
  async release(origin: string): Promise<void> {
    const pool = this.pools.get(origin);
    if (!pool) return;
    this.pools.delete(origin);
    await pool.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
