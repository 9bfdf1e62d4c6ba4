import type { KubeClient } from './api.js';
import type { OpenTunnel } from './tunnel.js';

/** What the Kubernetes flows reach the cluster through: the API client and a way to open a tunnel to a pod. */
export interface FlowDeps {
  client: KubeClient;
  openTunnel: OpenTunnel;
}
