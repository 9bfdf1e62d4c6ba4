import { BlockList, isIP } from 'node:net';
import { KEPT_PROTO, KEPT_REAL_IP, type RequestHead } from './request-head.js';

/**
 * The peers whose forwarding headers (X-Forwarded-*, X-Real-IP, Forwarded) and user header the router believes:
 * addresses and CIDR ranges from the config. Nobody by default: a client's own forwarding headers are replaced.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly none: boolean;

  constructor(entries: readonly string[] = []) {
    this.none = entries.length === 0;
    for (const entry of entries) {
      const [address, bits] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(bits), type);
    }
  }

  has(address: string): boolean {
    if (this.none || address === '') return false;
    const plain = unmapped(address);
    return this.list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** A client on a dual-stack socket shows as ::ffff:a.b.c.d; the config names it a.b.c.d. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** RFC 7239 node: an IPv6 address is quoted and bracketed. */
function forwardedNode(address: string): string {
  return isIP(address) === 6 ? `"[${address}]"` : address;
}

/** The forwarding lines for every request of an untrusted client, built once per connection. */
export function clientForwardingLines(remote: string, proto: string): Buffer {
  const address = unmapped(remote);
  return Buffer.from(
    `x-forwarded-for: ${address}\r\nx-forwarded-proto: ${proto}\r\nx-real-ip: ${address}\r\nforwarded: for=${forwardedNode(address)};proto=${proto}\r\n`,
    'latin1',
  );
}

/** A trusted proxy's chains extended with its own address; the lines it set itself are kept, the rest added. */
export function trustedForwardingLines(head: RequestHead, remote: string, proto: string): string {
  const address = unmapped(remote);
  let lines = `x-forwarded-for: ${head.forwardedFor === undefined ? '' : `${head.forwardedFor}, `}${address}\r\n`;
  lines += `forwarded: ${head.forwarded === undefined ? '' : `${head.forwarded}, `}for=${forwardedNode(address)};proto=${proto}\r\n`;
  if ((head.kept & KEPT_PROTO) === 0) lines += `x-forwarded-proto: ${proto}\r\n`;
  if ((head.kept & KEPT_REAL_IP) === 0) lines += `x-real-ip: ${address}\r\n`;
  return lines;
}
