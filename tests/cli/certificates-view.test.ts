import { describe, expect, it } from 'vitest';
import { certificateViews } from '../../src/cli/commands/certificates-view.js';
import type { CertificateStatus, ServedCertificate } from '../../src/router/tls/certificate-status.js';

const DAY = 86_400_000;
const issued = Date.parse('2026-12-01T00:00:00.000Z');

/** A 90-day ACME certificate whose renewal window opens on day 60, as the router writes it. */
function acme(failing: NonNullable<ServedCertificate['renewal']>['failing'] = null): CertificateStatus {
  const windowFrom = new Date(issued + 60 * DAY).toISOString();
  return {
    writtenAt: new Date(issued).toISOString(),
    pid: 1,
    certificates: [
      {
        hosts: ['shop.example.com'],
        source: 'acme',
        file: '/state/acme/x/shop.example.com.crt',
        subject: 'CN=shop.example.com',
        sans: ['DNS:shop.example.com'],
        issuer: 'CN=R11, O=Let\'s Encrypt, C=US',
        notBefore: new Date(issued).toISOString(),
        notAfter: new Date(issued + 90 * DAY).toISOString(),
        fingerprint256: 'AB:CD',
        renewal: { windowFrom, nextAttemptAt: failing ? new Date(issued + 61 * DAY).toISOString() : windowFrom, failing },
      },
    ],
  };
}

describe('certificates in deploy status', () => {
  it('warns about an ACME certificate only once it is due and renewing fails, or no runtime runs to renew it', () => {
    const failing = { attempts: 3, lastError: 'shop.example.com: DNS problem: NXDOMAIN', lastErrorAt: new Date(issued + 60.5 * DAY).toISOString() };
    expect(certificateViews(acme(), issued + 10 * DAY)[0]).toMatchObject({ daysLeft: 80, nextRenewalAt: '2027-01-30T00:00:00.000Z', lastRenewalError: null, warning: null });
    // Due, renewing fine (the router will renew): no warning.
    expect(certificateViews(acme(), issued + 61 * DAY)[0].warning).toBeNull();
    // Failing but not yet due (a failure before the window cannot happen, but says nothing urgent either).
    expect(certificateViews(acme(failing), issued + 59 * DAY)[0].warning).toBeNull();
    const due = certificateViews(acme(failing), issued + 75 * DAY)[0];
    expect(due.lastRenewalError).toEqual({ at: failing.lastErrorAt, attempts: 3, detail: failing.lastError });
    expect(due.warning).toBe('expires in 15 days and renewing fails (3 attempts): shop.example.com: DNS problem: NXDOMAIN');
    expect(certificateViews(acme(), issued + 89.5 * DAY, true)[0].warning).toBe('expires in 12 h, renewal is due and no runtime runs to renew it');
    expect(certificateViews(acme(failing), issued + 91 * DAY)[0]).toMatchObject({ daysLeft: -1, warning: 'expired 2027-03-01 00:00 UTC; clients refuse it' });
  });
});
