import { createHash } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { resolve } from 'node:path';

export interface OwnerLock {
  release(): Promise<void>;
}

/**
 * One owner per environment state dir, across processes: a unix socket in Linux's abstract namespace named after the
 * state dir. The kernel gives the name to exactly one process and takes it back when that process dies, so there is
 * no stale lock file after a crash or a reboot. A probe connection gets the owner's pid.
 */
export async function takeOwnerLock(stateDir: string, waitMs = 2_000): Promise<OwnerLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await tryOwnerLock(stateDir);
    } catch (error) {
      // A keeper whose runtime was just stopped may be exiting: its name comes free in a moment.
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function tryOwnerLock(stateDir: string): Promise<OwnerLock> {
  const name = ownerLockName(stateDir);
  const server: Server = createServer((socket) => socket.end(`${process.pid}\n`));
  await new Promise<void>((ok, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return fail(error);
      void ownerPid(stateDir).then((pid) => fail(new Error(`another runtime owns ${stateDir}${pid ? ` (keeper pid ${pid})` : ''}`)));
    });
    server.listen(name, () => ok());
  });
  server.unref();
  return { release: () => new Promise((done) => server.close(() => done())) };
}

/** The pid of the keeper that owns the state dir, or null when none does. */
export function ownerPid(stateDir: string): Promise<number | null> {
  return new Promise((done) => {
    const socket = connect(ownerLockName(stateDir));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => done(Number.parseInt(text, 10) || null));
    socket.on('error', () => done(null));
    socket.setTimeout(2_000, () => {
      socket.destroy();
      done(null);
    });
  });
}

function ownerLockName(stateDir: string): string {
  return `\0shipgate-keeper-${createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 32)}`;
}
