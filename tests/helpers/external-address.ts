import { networkInterfaces } from 'node:os';

/** An IPv4 address of this machine that is not loopback: connecting to it, a client is not seen as local. */
export function externalAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address; the test needs one to be a remote client');
}
