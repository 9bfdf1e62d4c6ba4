/** The address this machine reaches a router on: loopback for a wildcard listen address, else the address itself. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === 'localhost') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
