import { UpstreamPool } from './http1/upstream-pool.js';

/** One keep-alive connection pool per upstream origin. Pools of drained upstreams are closed and recreated on demand. */
export class UpstreamPools {
  private readonly pools = new Map<string, UpstreamPool>();

  constructor(private readonly idleMs?: number) {}

  get(origin: string): UpstreamPool {
    let pool = this.pools.get(origin);
    if (!pool) this.pools.set(origin, (pool = new UpstreamPool(origin, this.idleMs)));
    return pool;
  }

  /** Closes the idle connections; those in use close when their request ends. */
  release(origin: string): void {
    const pool = this.pools.get(origin);
    if (!pool) return;
    this.pools.delete(origin);
    pool.close();
  }

  sweep(now: number): void {
    for (const pool of this.pools.values()) pool.sweep(now);
  }

  closeAll(): void {
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}
