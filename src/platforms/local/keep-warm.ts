import type { AppSupervisor } from './supervisor.js';

export interface RetireRequest {
  id: string;
  /** How long the app stays warm (running, no traffic) before it is drained and stopped. */
  afterMs: number;
  drainTimeoutMs: number;
  stopTimeoutMs?: number;
}

/**
 * Keeps the previous release warm for a while after a good deploy, then drains and stops it.
 * The timers live in the environment runtime, because the CLI that deployed has long exited.
 */
export class KeepWarm {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; until: number; drainTimeoutMs: number }>();

  constructor(
    private readonly supervisor: AppSupervisor,
    private readonly drain: (id: string, timeoutMs: number) => Promise<unknown>,
    private readonly log?: (line: string) => void,
    /** Called whenever the set of warm apps changes (the runtime hands it to its keeper). */
    private readonly onChange?: () => void,
  ) {}

  /** What is kept warm, until when: enough to re-arm the timers in a runtime that replaces a crashed one. */
  entries(): { id: string; until: number; drainTimeoutMs: number }[] {
    return [...this.timers].map(([id, entry]) => ({ id, until: entry.until, drainTimeoutMs: entry.drainTimeoutMs }));
  }

  retire(request: RetireRequest): { id: string; until: string } {
    this.cancel(request.id);
    const until = Date.now() + request.afterMs;
    const timer = setTimeout(() => {
      this.timers.delete(request.id);
      this.onChange?.();
      void this.stopNow(request).catch((error) => this.log?.(`retiring ${request.id} failed: ${String(error)}`));
    }, request.afterMs);
    timer.unref();
    this.timers.set(request.id, { timer, until, drainTimeoutMs: request.drainTimeoutMs });
    this.onChange?.();
    return { id: request.id, until: new Date(until).toISOString() };
  }

  /** True when it was scheduled; e.g. a rollback takes the app back into service. */
  cancel(id: string): boolean {
    const entry = this.timers.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.timers.delete(id);
    this.onChange?.();
    return true;
  }

  cancelAll(): void {
    for (const id of [...this.timers.keys()]) this.cancel(id);
  }

  /** When the app will be stopped, or null. */
  warmUntil(id: string): string | null {
    const entry = this.timers.get(id);
    return entry ? new Date(entry.until).toISOString() : null;
  }

  private async stopNow(request: RetireRequest): Promise<void> {
    await this.drain(request.id, request.drainTimeoutMs).catch(() => undefined);
    if (this.supervisor.get(request.id)) await this.supervisor.stop(request.id, request.stopTimeoutMs ?? 10_000);
    this.log?.(`retired ${request.id} after keeping it warm`);
  }
}
