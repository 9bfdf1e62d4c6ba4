import type { KubeClient } from './api.js';
import type { Forward } from './tunnel.js';

/** What the Argo Rollouts flow reaches the cluster through: the API client and a way to carry a connection to a pod. */
export interface FlowDeps {
  client: KubeClient;
  forward: Forward;
}
