import { createServer, type Socket } from 'node:net';
import { listenOnLoopback } from '../local/free-port.js';

/** A local URL that reaches one pod, for smoke tests of a release before it gets traffic. */
export interface Tunnel {
  url: string;
  close(): Promise<void>;
}

export interface PodTarget {
  namespace: string;
  name: string;
  ip: string | null;
  port: number;
}

export type OpenTunnel = (pod: PodTarget) => Promise<Tunnel>;

/** `smokeVia: pod-ip`: deploy runs inside the cluster, where pod IPs are routable. Nothing to open. */
export const podIpTunnel: OpenTunnel = async (pod) => {
  if (!pod.ip) throw new Error(`pod ${pod.name} has no IP yet`);
  const host = pod.ip.includes(':') ? `[${pod.ip}]` : pod.ip;
  return { url: `http://${host}:${pod.port}`, close: async () => undefined };
};

/**
 * `smokeVia: port-forward` (default): a listener on 127.0.0.1:0 whose every connection is forwarded to the pod
 * through the API server (client-node's PortForward, the same WebSocket protocol as `kubectl port-forward`).
 */
export function portForwardTunnel(loadKubeConfig: () => Promise<unknown>): OpenTunnel {
  return async (pod) => {
    const { PortForward, KubeConfig } = await import('@kubernetes/client-node');
    const kc = (await loadKubeConfig()) as InstanceType<typeof KubeConfig>;
    const forward = new PortForward(kc);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      // Data may still arrive over the WebSocket after the local side went away: never let that crash the run.
      socket.on('error', () => socket.destroy());
      const ws = forward.portForward(pod.namespace, pod.name, [pod.port], socket, null, socket);
      socket.on('close', () => {
        sockets.delete(socket);
        void ws.then((w) => (typeof w === 'function' ? w() : w)?.close(), () => undefined);
      });
      ws.catch(() => socket.destroy());
    });
    return {
      url: await listenOnLoopback(server),
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  };
}
