import { connect, createServer, type Socket } from 'node:net';
import type { KubeConfig, PortForward } from '@kubernetes/client-node';
import { listenOnLoopback } from '../local/free-port.js';

/** A local URL that reaches pods of the cluster: smoke tests and probes of a release, before and after it gets traffic. */
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

/** Carries one local connection to a pod. */
export type Forward = (pod: PodTarget, socket: Socket) => void;

/** `smokeVia: pod-ip`: deploy runs inside the cluster, where pod IPs are routable: a plain TCP connection. */
export const podIpForward: Forward = (pod, socket) => {
  if (!pod.ip) return void socket.destroy();
  const upstream = connect(pod.port, pod.ip);
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
  socket.pipe(upstream).pipe(socket);
};

/**
 * `smokeVia: port-forward` (default): through the API server (client-node's PortForward, the same WebSocket
 * protocol as `kubectl port-forward`).
 */
export function portForward(loadKubeConfig: () => Promise<unknown>): Forward {
  let forwarder: Promise<PortForward> | null = null;
  return (pod, socket) => {
    forwarder ??= (async () => {
      const { PortForward: Forwarder } = await import('@kubernetes/client-node');
      return new Forwarder((await loadKubeConfig()) as KubeConfig);
    })();
    void forwarder.then(
      (forward) => {
        const ws = forward.portForward(pod.namespace, pod.name, [pod.port], socket, null, socket);
        socket.on('close', () => void ws.then((w) => (typeof w === 'function' ? w() : w)?.close(), () => undefined));
        ws.catch(() => socket.destroy());
      },
      () => socket.destroy(),
    );
  };
}

/**
 * A listener on 127.0.0.1:0 whose every connection goes to the pod `pick()` names at that moment (a ready pod of a
 * release, or one the Service selects now), so the URL outlives pod restarts and a canary's resizes. A connection
 * with no pod to reach is closed.
 */
export async function openTunnel(pick: () => Promise<PodTarget | null>, forward: Forward): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Data may still arrive from the pod after the local side went away: never let that crash the run.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    pick().then(
      (pod) => (pod && !socket.destroyed ? forward(pod, socket) : socket.destroy()),
      () => socket.destroy(),
    );
  });
  return {
    url: await listenOnLoopback(server),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
