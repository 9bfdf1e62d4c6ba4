import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A test picks a port, then binds it seconds later (a config's port, a server started by a deploy). A port from the
// kernel's ephemeral range can be taken in between by anything that listens on port 0 or connects out, in either
// worker: the project's CI lost a deploy to "port … is already in use" that way. So test ports come from below that
// range, and each vitest worker has its own share of it, which the kernel never hands out and no other worker uses.
const LOWEST = 10_000;
const SHARES = 4;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > LOWEST + SHARES * 100 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const shareSize = Math.floor((ephemeralLow() - LOWEST) / SHARES);
const share = (Math.max(1, Number(process.env.VITEST_POOL_ID) || 1) - 1) % SHARES;
const shareStart = LOWEST + share * shareSize;
let next = Math.floor(Math.random() * shareSize);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // 0.0.0.0 conflicts with a listener on any address, so the port is free for every loopback host a test uses.
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** A port that no one holds, below the ephemeral range and in this worker's share, for a program that binds it later. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < shareSize; tried++) {
    const port = shareStart + (next++ % shareSize);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${shareStart}-${shareStart + shareSize - 1}`);
}
