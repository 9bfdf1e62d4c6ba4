import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../state/atomic-write.js';
import type { Validity } from './renewal.js';

/** A certificate the store holds for one host: its files (as the TLS listener loads them) and its validity. */
export interface StoredCertificate {
  host: string;
  cert: string;
  key: string;
  validity: Validity;
}

/**
 * ACME files of one environment and one ACME directory, under `<stateDir>/acme/<directory host>-<hash>/`: the account
 * key and each host's certificate chain and key. Everything is written atomically and 0600, so a crash mid-renewal
 * leaves the previous pair, and no key is readable by others.
 */
export class CertificateStore {
  readonly dir: string;

  constructor(stateDir: string, directoryUrl: string) {
    const label = `${new URL(directoryUrl).host.replace(/[^\w.-]/g, '_')}-${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 8)}`;
    this.dir = join(stateDir, 'acme', label);
  }

  readAccountKey(): Promise<Buffer | null> {
    return readOrNull(join(this.dir, 'account.key'));
  }

  async writeAccountKey(key: Buffer): Promise<void> {
    await writeFileAtomic(join(this.dir, 'account.key'), key.toString('latin1'), 0o600);
  }

  /**
   * The stored pair for `host`, or null when there is none, or when the chain and the key do not belong together
   * (a crash between writing one and the other): then it is issued again.
   */
  async read(host: string): Promise<StoredCertificate | null> {
    const { cert, key } = this.paths(host);
    const [pem, keyPem] = await Promise.all([readOrNull(cert), readOrNull(key)]);
    if (pem === null || keyPem === null) return null;
    try {
      const x509 = new X509Certificate(pem);
      if (!x509.checkPrivateKey(createPrivateKey(keyPem))) return null;
      return { host, cert, key, validity: { notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) } };
    } catch {
      return null;
    }
  }

  async write(host: string, key: Buffer, chain: string): Promise<StoredCertificate> {
    const paths = this.paths(host);
    await writeFileAtomic(paths.key, key.toString('latin1'), 0o600);
    await writeFileAtomic(paths.cert, chain, 0o600);
    const stored = await this.read(host);
    if (stored === null) throw new Error(`the certificate for ${host} just written to ${paths.cert} cannot be read back`);
    return stored;
  }

  private paths(host: string): { cert: string; key: string } {
    return { cert: join(this.dir, `${host}.crt`), key: join(this.dir, `${host}.key`) };
  }
}

async function readOrNull(path: string): Promise<Buffer | null> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}
