import { httpRequest } from '../verify/http-request.js';

/** Receives each check's outcome, like kamal-proxy's HealthCheckConsumer. Tests pass a recorder. */
export interface HealthCheckConsumer {
  healthCheckCompleted(success: boolean, detail: string): void;
}

export interface HealthCheckTiming {
  intervalMs: number;
  /** Per-check timeout. */
  timeoutMs: number;
}

/** One GET of `url + path` under its own timeout (head and body), on its own connection; healthy means a 2xx answer. */
export async function checkOnce(url: string, path: string, timeoutMs: number): Promise<{ success: boolean; detail: string }> {
  try {
    const { status } = await httpRequest(new URL(path, url), { timeoutMs, body: 'drain' });
    return { success: status >= 200 && status < 300, detail: `GET ${path} answered ${status}` };
  } catch (error) {
    const { name, code, message } = error as NodeJS.ErrnoException;
    if (name === 'TimeoutError') return { success: false, detail: `GET ${path} timed out after ${timeoutMs} ms` };
    return { success: false, detail: `GET ${path} failed: ${code ?? message}` };
  }
}

/** Checks an upstream on a ticker (first check at once) until closed; each result goes to the consumer. */
export class HealthCheck {
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly consumer: HealthCheckConsumer,
    private readonly url: string,
    private readonly path: string,
    private readonly timing: HealthCheckTiming,
  ) {}

  start(): this {
    void this.tick();
    return this;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    const started = performance.now();
    const { success, detail } = await checkOnce(this.url, this.path, this.timing.timeoutMs);
    if (this.closed) return;
    this.consumer.healthCheckCompleted(success, detail);
    const wait = Math.max(0, this.timing.intervalMs - (performance.now() - started));
    this.timer = setTimeout(() => void this.tick(), wait);
  }
}

export interface WaitHealthyOptions extends HealthCheckTiming {
  /** Overall deadline from the first check. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Sees every check's outcome (e.g. to give up early on a path that does not exist). */
  onCheck?: (success: boolean, detail: string) => void;
}

export interface WaitHealthyResult {
  healthy: boolean;
  attempts: number;
  elapsedMs: number;
  /** What the last check saw, e.g. `GET /health answered 503`. */
  last: string;
}

/** Resolves at the first healthy check, or unhealthy when the deadline passes (or `signal` aborts). Never throws. */
export function waitHealthy(url: string, path: string, options: WaitHealthyOptions): Promise<WaitHealthyResult> {
  const started = performance.now();
  let attempts = 0;
  let last = 'no check completed';
  return new Promise((resolve) => {
    let finished = false;
    const finish = (healthy: boolean) => {
      if (finished) return;
      finished = true;
      check.close();
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ healthy, attempts, elapsedMs: Math.round(performance.now() - started), last });
    };
    const onAbort = () => {
      last = 'aborted';
      finish(false);
    };
    const check = new HealthCheck(
      {
        healthCheckCompleted(success, detail) {
          attempts++;
          last = detail;
          options.onCheck?.(success, detail);
          if (success) finish(true);
        },
      },
      url,
      path,
      { intervalMs: options.intervalMs, timeoutMs: Math.min(options.timeoutMs, options.deadlineMs) },
    );
    const deadline = setTimeout(() => finish(false), options.deadlineMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort);
    check.start();
  });
}
