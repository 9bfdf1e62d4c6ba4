import { createServer, type Server } from 'node:net';

/** Asks the kernel for a free port on the loopback interface. The port is free when this returns; the caller binds it next. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Binds a server (net or http) to an ephemeral loopback port and returns its http://127.0.0.1:<port> URL. */
export function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      port ? resolve(`http://127.0.0.1:${port}`) : reject(new Error('no port assigned'));
    });
  });
}
