import { createServer, type Server, type Socket } from 'node:net';
import { chmod, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { ControlRegistry } from './control-registry.js';
import type { ControlRequest, ControlResponse } from './control-protocol.js';

const MAX_LINE = 1024 * 1024;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Serves the registry on a unix socket that only the owner can open (mode 0600). It is never bound to a TCP port.
 * A stale socket file from a crashed router is replaced; a live one means another router owns this state dir.
 */
export async function startControlServer(path: string, registry: ControlRegistry): Promise<ControlServer> {
  if (await isLive(path)) throw new Error(`another router is already listening on ${path}`);
  await rm(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, registry);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket file is created by bind() inside listen(); a umask makes it 0600 from its first instant.
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(previous);
    }
  });
  await chmod(path, 0o600);
  return {
    path,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.end();
      setTimeout(() => sockets.forEach((socket) => socket.destroy()), 200).unref();
      await closed;
    },
  };
}

function serveConnection(socket: Socket, registry: ControlRegistry): void {
  socket.setEncoding('utf8');
  let buffer = '';
  const reply = (response: ControlResponse) => {
    if (socket.writable) socket.write(JSON.stringify(response) + '\n');
  };
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    if (buffer.length > MAX_LINE && buffer.indexOf('\n') === -1) {
      reply({ id: 0, error: { code: 'invalid_request', message: 'request line too long' } });
      socket.destroy();
      return;
    }
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim() !== '') void handleLine(line, registry).then(reply);
    }
  });
  socket.on('error', () => socket.destroy());
}

async function handleLine(line: string, registry: ControlRegistry): Promise<ControlResponse> {
  let request: ControlRequest;
  try {
    request = JSON.parse(line) as ControlRequest;
  } catch {
    return { id: 0, error: { code: 'invalid_request', message: 'request is not valid JSON' } };
  }
  if (typeof request !== 'object' || request === null || typeof request.method !== 'string' || typeof request.id !== 'number') {
    return { id: typeof request?.id === 'number' ? request.id : 0, error: { code: 'invalid_request', message: 'request needs a numeric "id" and a string "method"' } };
  }
  return registry.call(request.id, request.method, request.params);
}

function isLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
