/** A release the router can send traffic to. `id` is the release id; `url` its loopback origin. */
export interface Upstream {
  id: string;
  url: string;
}

export interface CanarySplit {
  upstream: Upstream;
  /** Share of requests for the canary upstream, 0–100. */
  percent: number;
  /** Keep a client on one side through a cookie hash instead of deciding per request. */
  sticky: boolean;
}

/** The routing state that is saved on every change and restored at start. */
export interface RoutingTable {
  version: number;
  active: Upstream | null;
  canary: CanarySplit | null;
  updatedAt: string;
}

export function emptyTable(): RoutingTable {
  return { version: 0, active: null, canary: null, updatedAt: new Date(0).toISOString() };
}
