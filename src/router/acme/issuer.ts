import { Agent } from 'node:https';
import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import type { Http01Answers } from './challenges.js';
import type { TlsAlpnAnswers } from './tls-alpn-answers.js';
import type { CertificateStore } from './store.js';

export interface AcmeAccountSettings {
  /** The ACME directory URL, e.g. Let's Encrypt's. */
  directory: string;
  /** Contact address for the account; optional at Let's Encrypt. */
  email?: string;
  /** PEM file of CA certificates trusted for the directory's own HTTPS (a private ACME server). */
  ca?: string;
}

/** Where the router answers challenges: the plain-HTTP port's path, the HTTPS port's `acme-tls/1` handshakes. */
export interface ChallengeAnswers {
  http01: Http01Answers;
  tlsAlpn01: TlsAlpnAnswers;
}

export interface IssuerTiming {
  /** First wait between polls of a pending challenge or order (acme-client's backoff); doubled up to `pollMaxMs`. */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** One HTTP request to the ACME server. */
  requestTimeoutMs?: number;
}

/** One host's certificate could not be obtained; `detail` is the ACME server's problem text (or the network error). */
export class AcmeFailure extends Error {
  constructor(
    readonly host: string,
    readonly detail: string,
  ) {
    super(`${host}: ${detail}`);
    this.name = 'AcmeFailure';
  }
}

type AcmeModule = typeof import('acme-client');

/**
 * Gets certificates over ACME (acme-client) with HTTP-01, answered on the router's plain-HTTP port, or TLS-ALPN-01,
 * answered on its HTTPS port. The account key is made once per environment and directory and kept in the store (0600).
 * acme-client is loaded only here, so a router without ACME never loads it.
 */
export class AcmeIssuer {
  private client: Promise<InstanceType<AcmeModule['Client']>> | null = null;

  constructor(
    private readonly store: CertificateStore,
    private readonly account: AcmeAccountSettings & { challenge: 'http-01' | 'tls-alpn-01' },
    private readonly answers: ChallengeAnswers,
    private readonly timing: IssuerTiming = {},
  ) {}

  /** A new key and its chain (leaf first) for `host`; throws AcmeFailure with the ACME problem detail. */
  async issue(host: string): Promise<{ key: Buffer; chain: string }> {
    const acme = await loadAcme();
    const client = await this.clientFor(acme).catch((error: unknown) => {
      throw error instanceof AcmeFailure ? new AcmeFailure(host, `${error.host}: ${error.detail}`) : error;
    });
    const key = await acme.crypto.createPrivateEcdsaKey('P-256');
    const [, csr] = await acme.crypto.createCsr({ commonName: host, altNames: [host] }, key);
    try {
      const chain = await client.auto({
        csr,
        email: this.account.email,
        termsOfServiceAgreed: true,
        // acme-client's own pre-check fetches http://<host>:80 from here; the ACME server's check is the one that counts.
        skipChallengeVerification: true,
        challengePriority: [this.account.challenge],
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          if (challenge.type === 'http-01') return this.answers.http01.add(challenge.token, keyAuthorization);
          // acme-client's types know only http-01 and dns-01; the server sends tls-alpn-01 all the same.
          if ((challenge.type as string) !== 'tls-alpn-01') throw new Error(`the ACME server offers no ${this.account.challenge} challenge for ${host}`);
          // ECDSA like the served certificates: OpenSSL would prefer an ECDSA default over an RSA challenge certificate.
          const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey('P-256'));
          this.answers.tlsAlpn01.add(authz.identifier.value, alpnKey, alpnCert);
        },
        challengeRemoveFn: async (authz, challenge) => {
          if (challenge.type === 'http-01') this.answers.http01.remove(challenge.token);
          else this.answers.tlsAlpn01.remove(authz.identifier.value);
        },
      });
      return { key, chain };
    } catch (error) {
      throw new AcmeFailure(host, describe(error));
    }
  }

  private clientFor(acme: AcmeModule): Promise<InstanceType<AcmeModule['Client']>> {
    this.client ??= (async () => {
      await this.trustDirectoryCa(acme);
      let accountKey = await this.store.readAccountKey();
      if (accountKey === null) {
        accountKey = await acme.crypto.createPrivateEcdsaKey('P-256');
        await this.store.writeAccountKey(accountKey);
      }
      const client = new acme.Client({
        directoryUrl: this.account.directory,
        accountKey,
        backoffMin: this.timing.pollMinMs ?? 1_000,
        backoffMax: this.timing.pollMaxMs ?? 10_000,
        backoffAttempts: 10,
      });
      // Once, before the hosts' orders run in parallel (each would otherwise register the account itself). An
      // existing account is looked up, not re-registered: acme-client would "update" it with an empty payload.
      const contact = this.account.email ? { contact: [`mailto:${this.account.email}`] } : {};
      try {
        const existing = await client.createAccount({ onlyReturnExisting: true }).catch(() => null);
        if (existing === null) await client.createAccount({ termsOfServiceAgreed: true, ...contact });
        else if (this.account.email && !existing.contact?.includes(contact.contact![0])) await client.updateAccount(contact);
      } catch (error) {
        throw new AcmeFailure('the ACME account', describe(error));
      }
      return client;
    })();
    // A failure (unreadable CA file) is not cached: the next attempt reads the files again.
    this.client.catch(() => (this.client = null));
    return this.client;
  }

  /** acme-client sends every request through one axios instance; a private CA is trusted on it (one router per process). */
  private async trustDirectoryCa(acme: AcmeModule): Promise<void> {
    acme.axios.defaults.timeout = this.timing.requestTimeoutMs ?? 30_000;
    if (this.account.ca === undefined) return;
    const ca = await readFile(this.account.ca).catch(() => {
      throw new UserError(`router.tls.acme.ca: cannot read ${this.account.ca}`);
    });
    acme.axios.defaults.httpsAgent = new Agent({ ca, keepAlive: true });
  }
}

let loaded: Promise<AcmeModule> | null = null;

function loadAcme(): Promise<AcmeModule> {
  loaded ??= import('acme-client').then((module) => ((module as { default?: AcmeModule }).default ?? module) as AcmeModule);
  return loaded;
}

/** One line: the ACME problem detail, or the network error that stopped the order. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const line = message.split('\n')[0].trim() || 'unknown error';
  return typeof code === 'string' && !line.includes(code) ? `${line} (${code})` : line;
}
