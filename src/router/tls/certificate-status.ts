import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../state/atomic-write.js';

/**
 * What the router serves over HTTPS, for `deploy status`: written by the router (atomically, 0600) each time its
 * certificates change or a renewal pass ends, read by the CLI, which so changes nothing and asks no process.
 */
export const CERTIFICATE_STATUS_FILE = 'tls-certificates.json';

const renewalSchema = z.strictObject({
  /** From here on the certificate is due: a third of its life left, or `renewBefore`. */
  windowFrom: z.string(),
  /** The router's next attempt: the window's start, or the retry after a failure. */
  nextAttemptAt: z.string(),
  /** Set while renewing fails (cleared by a success): the ACME server's problem, one line. */
  failing: z.strictObject({ attempts: z.number().int(), lastError: z.string(), lastErrorAt: z.string() }).nullable(),
});

const servedSchema = z.strictObject({
  /** The host names this certificate is served for (SNI). */
  hosts: z.array(z.string()),
  source: z.enum(['files', 'acme']),
  /** The certificate file, as configured (files) or in the ACME store. */
  file: z.string(),
  subject: z.string(),
  sans: z.array(z.string()),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprint256: z.string(),
  /** ACME only. */
  renewal: renewalSchema.optional(),
});

const statusSchema = z.strictObject({ writtenAt: z.string(), pid: z.number().int(), certificates: z.array(servedSchema) });

export type ServedCertificate = z.infer<typeof servedSchema>;
export type CertificateStatus = z.infer<typeof statusSchema>;
export type RenewalStatus = z.infer<typeof renewalSchema>;

/** One served certificate before it is read: where it is and what it serves. */
export interface ServedSource {
  hosts: string[];
  source: 'files' | 'acme';
  cert: string;
  renewal?: RenewalStatus;
}

/** The leaf certificate of each source (a chain's first PEM block), as X509 reads it. */
export async function describeServed(sources: ServedSource[]): Promise<ServedCertificate[]> {
  return Promise.all(
    sources.map(async ({ hosts, source, cert, renewal }) => {
      const x509 = new X509Certificate(await readFile(cert));
      return {
        hosts,
        source,
        file: cert,
        subject: oneLine(x509.subject),
        sans: (x509.subjectAltName ?? '').split(', ').filter(Boolean),
        issuer: oneLine(x509.issuer),
        notBefore: new Date(x509.validFrom).toISOString(),
        notAfter: new Date(x509.validTo).toISOString(),
        fingerprint256: x509.fingerprint256,
        ...(renewal ? { renewal } : {}),
      };
    }),
  );
}

export async function writeCertificateStatus(stateDir: string, certificates: ServedCertificate[]): Promise<void> {
  const status: CertificateStatus = { writtenAt: new Date().toISOString(), pid: process.pid, certificates };
  await writeJsonAtomic(join(stateDir, CERTIFICATE_STATUS_FILE), status);
}

/** HTTPS turned off: nothing is served any more. */
export async function removeCertificateStatus(stateDir: string): Promise<void> {
  await rm(join(stateDir, CERTIFICATE_STATUS_FILE), { force: true });
}

/** Null when the router serves no HTTPS (or never wrote the file); a damaged file is said, not thrown. */
export async function readCertificateStatus(stateDir: string): Promise<CertificateStatus | null> {
  const text = await readFile(join(stateDir, CERTIFICATE_STATUS_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = statusSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${CERTIFICATE_STATUS_FILE} is not what the router writes`);
  return parsed.data;
}

/** X509 lists one attribute a line ("CN=a.test\nO=Pebble"). */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
