import type { RoutingTable, Upstream } from './types.js';
import { inCanary } from './sticky.js';

export interface Pick {
  upstream: Upstream;
  /** A new sticky key to hand to the client in a cookie, when the client had none. */
  newStickyKey?: string;
}

/**
 * Chooses the upstream for one request. Pure apart from the injected random source, so tests can check the split.
 * `stickyKey` is the client's cookie value, if any.
 */
export function pickUpstream(
  table: RoutingTable,
  stickyKey: string | undefined,
  random: () => number,
  newKey: () => string,
): Pick | null {
  const canary = table.canary;
  if (!canary || canary.percent <= 0) return table.active ? { upstream: table.active } : null;
  if (!table.active || canary.percent >= 100) return { upstream: canary.upstream };
  if (!canary.sticky) return { upstream: random() * 100 < canary.percent ? canary.upstream : table.active };
  if (stickyKey) return { upstream: inCanary(stickyKey, canary.percent) ? canary.upstream : table.active };
  const key = newKey();
  return { upstream: inCanary(key, canary.percent) ? canary.upstream : table.active, newStickyKey: key };
}
