import type { UpstreamMetrics } from '../contracts/metrics.js';

export interface BaselineInput {
  /** The release being replaced, over the window before the switch (router `metrics(blue, window)`). */
  read: () => Promise<UpstreamMetrics>;
  /** Requests the comparison needs on the baseline side. */
  needed: number;
  /** Sends about `count` requests through the public URL, which still reaches blue; null: no probing. */
  probe: ((count: number, signal: AbortSignal) => Promise<unknown>) | null;
  signal?: AbortSignal;
}

/**
 * The figures the new release is judged against. When blue served too little in the window before the
 * switch (a quiet service, a test), probe traffic tops it up first, so that the comparison is on samples
 * rather than on nothing; if that is still short, the verdict will say inconclusive, naming blue's count.
 */
export async function readBaseline(input: BaselineInput): Promise<UpstreamMetrics> {
  const first = await input.read();
  const missing = input.needed - first.requests;
  if (missing <= 0 || !input.probe || input.signal?.aborted) return first;
  const controller = new AbortController();
  const stop = () => controller.abort();
  input.signal?.addEventListener('abort', stop, { once: true });
  try {
    await input.probe(missing + Math.ceil(missing * 0.1), controller.signal).catch(() => undefined);
  } finally {
    input.signal?.removeEventListener('abort', stop);
  }
  return input.read();
}
