import { createServer } from 'node:net';
import { findFreePort } from '../../platforms/local/free-port.js';

/** True when nothing listens on `port` on any interface (the router binds 0.0.0.0). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** The usual 4001 (staging) and 4000 (production) when free, else ports the kernel says are free now. */
export async function proposePorts(preferred = { staging: 4001, production: 4000 }): Promise<{ staging: number; production: number }> {
  const pick = async (port: number) => ((await portIsFree(port)) ? port : await findFreePort('0.0.0.0'));
  const staging = await pick(preferred.staging);
  let production = await pick(preferred.production);
  while (production === staging) production = await findFreePort('0.0.0.0');
  return { staging, production };
}
