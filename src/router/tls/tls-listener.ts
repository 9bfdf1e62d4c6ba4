import { createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext, createServer, type SecureContext, type Server, type TLSSocket } from 'node:tls';
import { UserError } from '../../errors.js';
import type { AcmeSettings } from '../acme/manager.js';
import { ACME_TLS_ALPN, type TlsAlpnAnswers } from '../acme/tls-alpn-answers.js';
import type { ProxyServer } from '../http1/proxy-server.js';

const VALIDATION = Symbol('acme-tls-alpn-validation');

/** One certificate and the host names it serves (`*.example.com` matches one label). */
export interface TlsCertificate {
  hosts: string[];
  cert: string;
  key: string;
}

export interface TlsSettings {
  port: number;
  /** From files; may be empty when `acme` brings the certificates. */
  certificates: TlsCertificate[];
  /** Certificates ordered, stored and renewed over ACME (src/router/acme/). */
  acme?: AcmeSettings;
  /** Plain-HTTP requests get a 308 to HTTPS. */
  redirect: boolean;
  /** `Strict-Transport-Security: max-age=…`; 0 for none. */
  hstsSeconds: number;
}

/**
 * The router's HTTPS listener: TLS is terminated here and each connection is handed to the same HTTP/1.1 data path
 * as a plain one. Several hosts by SNI. `load` swaps the certificates for new handshakes only, so a renewal drops no
 * connection: open ones keep the context they were made with.
 */
export class TlsListener {
  private contexts = new Map<string, SecureContext>();
  private fallback: SecureContext | null = null;
  private readonly server: Server;
  port = 0;

  /** `alpnChallenges`: TLS-ALPN-01 answers (ACME); a handshake that asks for one gets it and nothing else. */
  constructor(proxy: ProxyServer, alpnChallenges?: TlsAlpnAnswers) {
    const listener = this;
    this.server = createServer(
      {
        // TCP_NODELAY, as on the plain-HTTP listener: node's TLS server leaves Nagle on, and then an answer written in
        // two pieces (a head and a large body, or a small answer that came in two reads) waited for the client's
        // delayed ACK, 40 ms (bench/router/README.md).
        noDelay: true,
        // node asks for the protocol before the certificate, both on the connection's socket: an ACME validation
        // handshake is marked here and given its challenge certificate in SNICallback.
        ALPNCallback(this: TLSSocket, { servername, protocols }) {
          // servername is false without SNI (a client that dialled an address): never a validation handshake.
          if (servername && alpnChallenges?.contextFor(servername) !== undefined && protocols.includes(ACME_TLS_ALPN)) {
            (this as TLSSocket & { [VALIDATION]?: boolean })[VALIDATION] = true;
            return ACME_TLS_ALPN;
          }
          return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
        },
        SNICallback(this: TLSSocket, name, done) {
          const validation = (this as TLSSocket & { [VALIDATION]?: boolean })[VALIDATION] === true;
          done(null, validation ? alpnChallenges?.contextFor(name) : listener.contextFor(name));
        },
      },
      (socket: TLSSocket) => {
        // A validation handshake carries no request (RFC 8737 §3).
        if (socket.alpnProtocol === ACME_TLS_ALPN) return void socket.end();
        proxy.accept(socket, 'https');
      },
    );
    this.server.on('tlsClientError', () => undefined);
  }

  /** Reads and checks every certificate before any is swapped in: a bad file changes nothing. */
  async load(certificates: TlsCertificate[]): Promise<void> {
    const contexts = new Map<string, SecureContext>();
    let fallback: SecureContext | null = null;
    let first: { key: Buffer; cert: Buffer; rsa: boolean } | null = null;
    for (const [index, certificate] of certificates.entries()) {
      const field = `router.tls.certificates[${index}]`;
      const key = await readKey(certificate.key, `${field}.key`);
      const cert = await readFile(certificate.cert).catch(() => {
        throw new UserError(`${field}.cert: cannot read ${certificate.cert}`);
      });
      let context: SecureContext;
      try {
        context = createSecureContext({ key, cert });
      } catch (error) {
        throw new UserError(`${field}: the certificate and key do not make a TLS context (${error instanceof Error ? error.message : String(error)})`);
      }
      // OpenSSL keeps one certificate per key type and prefers ECDSA: an ECDSA default would be served in place of
      // an RSA certificate chosen by SNI. With both types present the first RSA one is the default instead.
      const rsa = createPrivateKey(key).asymmetricKeyType?.startsWith('rsa') === true;
      if (first === null || (rsa && !first.rsa)) {
        fallback = context;
        first = { key, cert, rsa };
      }
      for (const host of certificate.hosts) contexts.set(host.toLowerCase(), context);
    }
    this.contexts = contexts;
    this.fallback = fallback;
    // Clients without SNI get the default.
    if (first !== null) this.server.setSecureContext({ key: first.key, cert: first.cert });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new UserError(`router.tls.port: port ${port} on ${host} is already in use`) : error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve((this.port = address && typeof address === 'object' ? address.port : port));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private contextFor(name: string): SecureContext | undefined {
    const host = name.toLowerCase();
    const exact = this.contexts.get(host);
    if (exact !== undefined) return exact;
    const dot = host.indexOf('.');
    return (dot > 0 ? this.contexts.get(`*${host.slice(dot)}`) : undefined) ?? this.fallback ?? undefined;
  }
}

/** A private key must be readable by its owner only (0600), like the keys shipgate writes. */
async function readKey(path: string, field: string): Promise<Buffer> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UserError(`${field}: cannot read ${path}`);
  if ((info.mode & 0o077) !== 0) throw new UserError(`${field}: ${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  return readFile(path);
}
