import { describeRequestError } from '../verify/request-error.js';
import { DeliveryError } from './delivery-error.js';

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * POSTs a body and resolves on 2xx. Failures carry only the status, a short
 * response snippet and a reason: never the URL, which may hold a token.
 * Redirects are not followed, so a signed body never reaches a host nobody configured.
 */
export async function postBody(url: string, body: string, options: PostOptions): Promise<void> {
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: options.headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if (options.signal?.aborted) throw new DeliveryError('cancelled', false);
    throw new DeliveryError(describeRequestError(error, options.timeoutMs), true);
  }
  const text = await readSnippet(response);
  if (response.status >= 200 && response.status < 300) return;
  const detail = text ? `: ${text}` : '';
  if (response.status >= 300 && response.status < 400) {
    throw new DeliveryError(`HTTP ${response.status} redirect not followed; configure the final URL`, false);
  }
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new DeliveryError(`HTTP ${response.status}${detail}`, retryable, retryAfterMs(response.headers.get('retry-after')));
}

async function readSnippet(response: Response): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, ' ').trim();
    return text.length > 120 ? `${text.slice(0, 120)}...` : text;
  } catch {
    return '';
  }
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
