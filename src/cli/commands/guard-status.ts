import type { GuardStatus } from '../../platforms/local/guard-extension.js';
import { connectRouter } from '../../router/client.js';

/** The guard as `deploy status` and `deploy guard` show it (docs/json-output.md `guard`). */
export interface GuardView {
  state: 'watching' | 'breached' | 'expired' | 'stopped' | 'none';
  /** "watching, 4m 12s left: Error Rate 0.1%, ...". */
  line: string;
  remainingMs: number;
  endsAt: string | null;
  release: string | null;
  previous: string | null;
  /** What the guard did: rolled back, alerted, ended. */
  outcome: string | null;
}

/** Asks the environment runtime; null when no runtime (or a runtime without the guard) answers. */
export async function readGuardStatus(stateDir: string, timeoutMs = 2_000): Promise<GuardView | null> {
  return withRuntime(stateDir, timeoutMs, (call) => call('guard.state', {}));
}

export async function stopGuardAt(stateDir: string, reason: string, timeoutMs = 10_000): Promise<GuardView | null> {
  return withRuntime(stateDir, timeoutMs, (call) => call('guard.stop', { reason }));
}

async function withRuntime(stateDir: string, timeoutMs: number, run: (call: (method: string, params: unknown) => Promise<GuardStatus>) => Promise<GuardStatus>): Promise<GuardView | null> {
  const client = await connectRouter(stateDir, { callTimeoutMs: timeoutMs }).catch(() => null);
  if (!client) return null;
  try {
    return toView(await run((method, params) => client.call<GuardStatus>(method, params)));
  } catch {
    return null;
  } finally {
    client.close();
  }
}

function toView(status: GuardStatus): GuardView {
  const s = status.snapshot;
  if (!s) return { state: 'none', line: 'no guard since the runtime started', remainingMs: 0, endsAt: null, release: null, previous: null, outcome: null };
  return {
    state: s.state,
    line: status.line ?? s.state,
    remainingMs: s.remainingMs,
    endsAt: s.endsAt !== null ? new Date(s.endsAt).toISOString() : null,
    release: status.active,
    previous: status.previous,
    outcome: status.outcome,
  };
}
