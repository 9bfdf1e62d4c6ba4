import { checkOnce } from '../router/health-check.js';

/** Where apps commonly answer health checks, in the order `deploy init` tries them; `/` last. */
export const HEALTH_CANDIDATES = ['/health', '/healthz', '/up', '/-/ping', '/'] as const;

export interface PathAnswer {
  path: string;
  /** e.g. "GET /up answered 200". */
  detail: string;
  ok: boolean;
}

/** Asks each candidate once, in order, and stops at the first 2xx. */
export async function probeHealthPaths(url: string, timeoutMs: number, candidates: readonly string[] = HEALTH_CANDIDATES): Promise<PathAnswer[]> {
  const answers: PathAnswer[] = [];
  for (const path of candidates) {
    const { success, detail } = await checkOnce(url, path, timeoutMs);
    answers.push({ path, detail, ok: success });
    if (success) break;
  }
  return answers;
}

/** "/ answered 200" or "/health, /healthz, ... answered 404": what the app answered instead of the configured path. */
export function describeAnswers(answers: readonly PathAnswer[]): string {
  const good = answers.find((a) => a.ok);
  if (good) return `${good.detail}; set health.path: ${good.path}`;
  return `no common health path answered 2xx (${answers.map((a) => a.detail.replace(/^GET /, '')).join(', ')})`;
}
