import { ExitCode, UserError } from '../../errors.js';
import { Http01Answers } from '../acme/challenges.js';
import { TlsAlpnAnswers } from '../acme/tls-alpn-answers.js';
import type { IssuerTiming } from '../acme/issuer.js';
import { AcmeManager, type AcmePass, type AcmeSettings } from '../acme/manager.js';
import type { StoredCertificate } from '../acme/store.js';
import type { ProxyServer } from '../http1/proxy-server.js';
import { describeServed, removeCertificateStatus, writeCertificateStatus, type ServedSource } from './certificate-status.js';
import { TlsListener, type TlsCertificate, type TlsSettings } from './tls-listener.js';

export interface TlsEdgeOptions {
  /** Where ACME keeps its account key and certificates (`<stateDir>/acme/`); ACME needs it. */
  stateDir?: string;
  log?: (line: string) => void;
  /** The clock renewals are judged by. Default Date.now. */
  now?: () => number;
  /** Renew on a timer once started (the default); tests call `renew()` themselves. */
  autoRenew?: boolean;
  acmeTiming?: IssuerTiming;
}

/** Passes over the ACME hosts run at most this often, whatever the renewal window says. */
const MIN_PASS_INTERVAL_MS = 60_000;
/** setTimeout's limit is about 24.8 days; a pass further away is re-planned after a day. */
const MAX_TIMER_MS = 86_400_000;

/**
 * The router's HTTPS side: the TLS listener, its certificates from files and from ACME, the HTTP → HTTPS redirect,
 * HSTS, and the renewal timer. Every change is prepared in full before anything is swapped in, so a bad file or a
 * failed ACME order leaves the certificates that were served before; open connections keep theirs in any case.
 */
export class TlsEdge {
  private listener: TlsListener | null = null;
  private acme: AcmeManager | null = null;
  private files: TlsCertificate[] = [];
  private readonly answers = new Http01Answers();
  private readonly alpnAnswers = new TlsAlpnAnswers();
  private changes: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private nextAt = Number.POSITIVE_INFINITY;
  private lastPassAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly proxy: ProxyServer,
    private readonly host: string,
    private readonly options: TlsEdgeOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  get port(): number | null {
    return this.listener?.port ?? null;
  }

  /**
   * Starts, updates or stops HTTPS. With `issue`, missing or due ACME certificates are ordered first (the plain-HTTP
   * port must be listening to answer the challenge); a host left without a valid certificate fails the whole change.
   */
  apply(settings: TlsSettings | undefined, options: { issue: boolean }): Promise<void> {
    return this.serialized(() => (settings === undefined ? this.stop() : this.update(settings, options.issue)));
  }

  /** One renewal pass now: what is due is ordered; what fails keeps being served while it is valid. Null without ACME. */
  renew(): Promise<AcmePass | null> {
    return this.serialized(async () => {
      const acme = this.acme;
      if (acme === null) return null;
      this.lastPassAt = Date.now();
      const pass = await acme.pass(this.now(), { issue: true });
      if (this.acme !== acme) return pass; // Replaced by a configure meanwhile; that one loaded its own certificates.
      if (pass.renewed.length > 0) await this.listener?.load([...this.files, ...asListed(pass.certificates)]);
      this.report(pass, acme.settings.directory);
      await this.publish(this.files, pass.certificates, acme);
      this.schedule(pass.nextAt);
      return pass;
    });
  }

  /** Renewals run from here on (the router listens). */
  start(): void {
    this.started = true;
    this.schedule(this.nextAt);
  }

  async close(): Promise<void> {
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.listener?.close();
  }

  private async update(settings: TlsSettings, issue: boolean): Promise<void> {
    if (this.listener !== null && settings.port !== 0 && settings.port !== this.listener.port) {
      throw new UserError(`router.tls.port: the router listens for HTTPS on ${this.listener.port}; stop the environment to change it`);
    }
    const acme = settings.acme ? this.managerFor(settings.acme) : null;
    // A first listener listens before any order: TLS-ALPN-01 is validated on it. Closed again if the change fails.
    const created = this.listener === null ? new TlsListener(this.proxy, this.alpnAnswers) : null;
    if (created !== null) await created.listen(settings.port, this.host);
    const listener = this.listener ?? created!;
    const challenges = this.proxy.acmeChallenges;
    let pass: AcmePass | null = null;
    try {
      if (acme !== null) {
        this.proxy.acmeChallenges = this.answers;
        pass = await acme.pass(this.now(), { issue, force: true });
        if (pass.missing.length > 0) {
          const reasons = pass.missing.map((failure) => `no certificate for ${failure.host} from ${acme.settings.directory}: ${failure.detail}`);
          throw new UserError(`router.tls.acme: ${reasons.join('; ')}`, ExitCode.precheckFailed);
        }
      }
      await listener.load([...settings.certificates, ...asListed(pass?.certificates ?? [])]);
    } catch (error) {
      this.proxy.acmeChallenges = challenges;
      await created?.close();
      throw error;
    }
    this.listener = listener;
    this.files = settings.certificates;
    this.acme = acme;
    this.proxy.acmeChallenges = acme === null ? null : this.answers;
    this.proxy.redirectToPort = settings.redirect ? listener.port : null;
    this.proxy.hsts = settings.hstsSeconds > 0 ? `strict-transport-security: max-age=${settings.hstsSeconds}\r\n` : '';
    if (pass !== null && acme !== null) this.report(pass, acme.settings.directory);
    await this.publish(settings.certificates, pass?.certificates ?? [], acme);
    this.schedule(pass?.nextAt ?? Number.POSITIVE_INFINITY);
  }

  private async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    this.acme = null;
    this.files = [];
    this.proxy.redirectToPort = null;
    this.proxy.hsts = '';
    this.proxy.acmeChallenges = null;
    this.schedule(Number.POSITIVE_INFINITY);
    await listener?.close();
    if (this.options.stateDir !== undefined) await removeCertificateStatus(this.options.stateDir).catch((error: unknown) => this.logFailure('removing', error));
  }

  /**
   * Writes what is served now for `deploy status` (certificate-status.ts). A host with both is served the ACME
   * certificate, so a file certificate lists only the hosts left to it. A failed write is logged, never fatal.
   */
  private async publish(files: TlsCertificate[], fromAcme: StoredCertificate[], acme: AcmeManager | null): Promise<void> {
    const stateDir = this.options.stateDir;
    if (stateDir === undefined) return;
    const acmeHosts = new Set(fromAcme.map((c) => c.host));
    const sources: ServedSource[] = [
      ...files.map((c) => ({ hosts: c.hosts.filter((host) => !acmeHosts.has(host.toLowerCase())), source: 'files' as const, cert: c.cert })).filter((c) => c.hosts.length > 0),
      ...fromAcme.map((c) => ({ hosts: [c.host], source: 'acme' as const, cert: c.cert, ...(acme ? { renewal: acme.renewalOf(c) } : {}) })),
    ];
    await describeServed(sources)
      .then((served) => writeCertificateStatus(stateDir, served))
      .catch((error: unknown) => this.logFailure('writing', error));
  }

  private logFailure(doing: string, error: unknown): void {
    this.options.log?.(`tls: ${doing} the certificate status for deploy status failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  private managerFor(settings: AcmeSettings): AcmeManager {
    if (this.options.stateDir === undefined) throw new UserError('router.tls.acme: needs the environment runtime (a router with a state dir)');
    if (this.acme !== null && JSON.stringify(this.acme.settings) === JSON.stringify(settings)) return this.acme;
    return new AcmeManager(this.options.stateDir, settings, { http01: this.answers, tlsAlpn01: this.alpnAnswers }, this.options.acmeTiming);
  }

  private report(pass: AcmePass, directory: string): void {
    const log = this.options.log;
    if (log === undefined) return;
    if (pass.renewed.length > 0) log(`acme: new certificate for ${pass.renewed.join(', ')} from ${directory}`);
    for (const { failure, validUntil } of pass.kept) log(`acme: renewing ${failure.host} failed: ${failure.detail}; still serving its certificate valid until ${validUntil}`);
    for (const failure of pass.missing) log(`acme: no certificate for ${failure.host} from ${directory}: ${failure.detail}`);
  }

  private schedule(nextAt: number): void {
    this.nextAt = nextAt;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.started || this.options.autoRenew === false || !Number.isFinite(nextAt)) return;
    const delay = Math.max(nextAt - this.now(), this.lastPassAt + MIN_PASS_INTERVAL_MS - Date.now(), 0);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (delay >= MAX_TIMER_MS) return this.schedule(nextAt);
      this.renew().catch((error: unknown) => this.options.log?.(`acme: renewal pass failed: ${error instanceof Error ? error.message : String(error)}`));
    }, Math.min(delay, MAX_TIMER_MS)).unref();
  }

  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const run = this.changes.then(change, change);
    this.changes = run.catch(() => undefined);
    return run;
  }
}

function asListed(certificates: StoredCertificate[]): TlsCertificate[] {
  return certificates.map((c) => ({ hosts: [c.host], cert: c.cert, key: c.key }));
}
