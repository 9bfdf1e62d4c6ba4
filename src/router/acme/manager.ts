import type { RenewalStatus } from '../tls/certificate-status.js';
import { AcmeFailure, AcmeIssuer, type AcmeAccountSettings, type ChallengeAnswers, type IssuerTiming } from './issuer.js';
import { isDue, renewAt, retryDelayMs } from './renewal.js';
import { CertificateStore, type StoredCertificate } from './store.js';

/** `router.tls.acme`, resolved. */
export interface AcmeSettings extends AcmeAccountSettings {
  hosts: string[];
  /** How hosts prove control: HTTP-01 on the plain-HTTP port (default) or TLS-ALPN-01 on the HTTPS port. */
  challenge?: 'http-01' | 'tls-alpn-01';
  /** Renew this long before expiry; default a third of the certificate's lifetime. */
  renewBeforeMs?: number;
}

/** What one pass over the hosts gave: the certificates to serve, and the hosts that got none or kept an old one. */
export interface AcmePass {
  certificates: StoredCertificate[];
  renewed: string[];
  /** No valid certificate for these hosts: nothing to serve them with. */
  missing: AcmeFailure[];
  /** Renewal failed, the current certificate is still valid and still served. */
  kept: { failure: AcmeFailure; validUntil: string }[];
  /** When the next pass is due (the earliest renewal or retry), in ms since the epoch. */
  nextAt: number;
}

/**
 * The certificates of one ACME account: read from the store, issued when missing, renewed when due. A host whose
 * order fails keeps its current certificate for as long as that is valid, and is retried with a backoff.
 */
export class AcmeManager {
  private readonly store: CertificateStore;
  private readonly issuer: AcmeIssuer;
  private readonly failures = new Map<string, { count: number; retryAt: number; failure: AcmeFailure; at: number }>();

  constructor(
    stateDir: string,
    readonly settings: AcmeSettings,
    answers: ChallengeAnswers,
    timing?: IssuerTiming,
  ) {
    this.store = new CertificateStore(stateDir, settings.directory);
    this.issuer = new AcmeIssuer(this.store, { ...settings, challenge: settings.challenge ?? 'http-01' }, answers, timing);
  }

  /**
   * One pass at `now`. With `issue` false only the store is read (a router starting, before its HTTP port listens).
   * `force` ignores the retry backoff (a deploy asks now).
   */
  async pass(now: number, options: { issue: boolean; force?: boolean }): Promise<AcmePass> {
    const result: AcmePass = { certificates: [], renewed: [], missing: [], kept: [], nextAt: Number.POSITIVE_INFINITY };
    await Promise.all(
      this.settings.hosts.map(async (host) => {
        const stored = await this.store.read(host);
        const valid = stored !== null && stored.validity.notAfter > now ? stored : null;
        const due = valid === null || isDue(valid.validity, now, this.settings.renewBeforeMs);
        const waiting = this.failures.get(host);
        if (!due || !options.issue || (!options.force && waiting !== undefined && waiting.retryAt > now)) {
          if (valid !== null) result.certificates.push(valid);
          else if (options.issue && waiting !== undefined) result.missing.push(waiting.failure);
          result.nextAt = Math.min(result.nextAt, waiting?.retryAt ?? (valid ? renewAt(valid.validity, this.settings.renewBeforeMs) : now));
          return;
        }
        try {
          const { key, chain } = await this.issuer.issue(host);
          const fresh = await this.store.write(host, key, chain);
          this.failures.delete(host);
          result.certificates.push(fresh);
          result.renewed.push(host);
          result.nextAt = Math.min(result.nextAt, renewAt(fresh.validity, this.settings.renewBeforeMs));
        } catch (error) {
          if (!(error instanceof AcmeFailure)) throw error;
          const count = (this.failures.get(host)?.count ?? 0) + 1;
          const retryAt = now + retryDelayMs(count, valid?.validity ?? null, now);
          this.failures.set(host, { count, retryAt, failure: error, at: now });
          result.nextAt = Math.min(result.nextAt, retryAt);
          if (valid === null) result.missing.push(error);
          else {
            result.certificates.push(valid);
            result.kept.push({ failure: error, validUntil: new Date(valid.validity.notAfter).toISOString() });
          }
        }
      }),
    );
    // Hosts in the configured order (the first one answers clients without SNI), whichever order finished first.
    const order = new Map(this.settings.hosts.map((host, index) => [host, index]));
    const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
    result.certificates.sort((a, b) => byOrder(a.host, b.host));
    result.renewed.sort(byOrder);
    result.missing.sort((a, b) => byOrder(a.host, b.host));
    result.kept.sort((a, b) => byOrder(a.failure.host, b.failure.host));
    return result;
  }

  /** Where `certificate`'s renewal stands: its window, the next attempt, and the failure while renewing fails. */
  renewalOf(certificate: StoredCertificate): RenewalStatus {
    const windowFrom = renewAt(certificate.validity, this.settings.renewBeforeMs);
    const waiting = this.failures.get(certificate.host);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      windowFrom: iso(windowFrom),
      nextAttemptAt: iso(waiting?.retryAt ?? windowFrom),
      failing: waiting ? { attempts: waiting.count, lastError: waiting.failure.detail, lastErrorAt: iso(waiting.at) } : null,
    };
  }
}
