/**
 * Keeps the previous release's container warm after a good deploy, then drains it in the router and
 * stops and removes it. The timers live in the environment runtime: the CLI that deployed has exited.
 */
export interface RetireRequest {
  /** The release id (the router's upstream id). */
  id: string;
  /** The container name. */
  name: string;
  afterMs: number;
  drainTimeoutMs: number;
}

export class ContainerKeepWarm {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; until: number; id: string }>();

  constructor(
    private readonly drain: (id: string, timeoutMs: number) => Promise<unknown>,
    private readonly stopAndRemove: (name: string, stopTimeoutS: number) => Promise<void>,
    private readonly log?: (line: string) => void,
  ) {}

  retire(request: RetireRequest): { name: string; until: string } {
    this.cancel(request.name);
    const until = Date.now() + request.afterMs;
    const timer = setTimeout(() => {
      this.timers.delete(request.name);
      void this.retireNow(request).catch((error) => this.log?.(`retiring ${request.name} failed: ${String(error)}`));
    }, request.afterMs);
    timer.unref();
    this.timers.set(request.name, { timer, until, id: request.id });
    return { name: request.name, until: new Date(until).toISOString() };
  }

  cancel(name: string): boolean {
    const entry = this.timers.get(name);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.timers.delete(name);
    return true;
  }

  cancelAll(): void {
    for (const name of [...this.timers.keys()]) this.cancel(name);
  }

  list(): Array<{ id: string; name: string; until: string }> {
    return [...this.timers].map(([name, entry]) => ({ id: entry.id, name, until: new Date(entry.until).toISOString() }));
  }

  private async retireNow(request: RetireRequest): Promise<void> {
    await this.drain(request.id, request.drainTimeoutMs).catch(() => undefined);
    await this.stopAndRemove(request.name, 10);
    this.log?.(`retired container ${request.name} after keeping it warm`);
  }
}
