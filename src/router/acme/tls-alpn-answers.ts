import { createSecureContext, type SecureContext } from 'node:tls';

/** The ALPN protocol of a TLS-ALPN-01 validation handshake (RFC 8737). */
export const ACME_TLS_ALPN = 'acme-tls/1';

/**
 * The TLS-ALPN-01 answers while an order is pending: per host, the self-signed certificate carrying the key
 * authorization, presented only to a handshake that offers `acme-tls/1` for that host.
 */
export class TlsAlpnAnswers {
  private readonly pending = new Map<string, SecureContext>();

  add(host: string, key: Buffer, cert: Buffer): void {
    this.pending.set(host.toLowerCase(), createSecureContext({ key, cert }));
  }

  remove(host: string): void {
    this.pending.delete(host.toLowerCase());
  }

  contextFor(host: string): SecureContext | undefined {
    return this.pending.get(host.toLowerCase());
  }
}
