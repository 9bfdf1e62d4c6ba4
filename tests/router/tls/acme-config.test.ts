import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../../src/config/resolve.js';
import { isDue, renewAt, retryDelayMs } from '../../../src/router/acme/renewal.js';
import { Http01Answers } from '../../../src/router/acme/challenges.js';
import { failure, project } from '../../config/helpers.js';

const DAY = 86_400_000;
const config = (tls: string) => `app: a\nstart: x\nrouter:\n  tls: ${tls}\nenvironments:\n  staging: { port: 4001 }\n`;

describe('router.tls.acme in the config', () => {
  it('resolves hosts, directory (Let\'s Encrypt by default), ca path, renewBefore and a year of HSTS', async () => {
    const dir = project(config('{ port: 8443, acme: { email: ops@example.com, hosts: [Shop.Example.com], ca: ca.pem, renewBefore: 20d }, hsts: 365d }'));
    const resolved = await resolveEnvironment(dir, 'staging', { env: {} });
    expect(resolved.router.tls).toEqual({
      port: 8443,
      certificates: [],
      redirect: true,
      hstsSeconds: 365 * 86_400,
      acme: { directory: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com', hosts: ['shop.example.com'], ca: `${dir}/ca.pem`, renewBeforeMs: 20 * DAY },
    });
  });

  it('refuses a wildcard host, a plain-http directory and a tls block with no certificate source, naming each field (exit 2)', async () => {
    const wildcard = await failure(resolveEnvironment(project(config('{ port: 8443, acme: { hosts: ["*.example.com"] } }')), 'staging', { env: {} }));
    expect(wildcard.exitCode).toBe(2);
    expect(wildcard.lines.join('\n')).toMatch(/router\.tls\.acme\.hosts\[0\]: expected a host name like shop\.example\.com \(no wildcard/);
    const http = await failure(resolveEnvironment(project(config('{ port: 8443, acme: { hosts: [a.example.com], directory: "http://ca.example/dir" } }')), 'staging', { env: {} }));
    expect(http.lines.join('\n')).toMatch(/router\.tls\.acme\.directory: expected the https URL of an ACME directory/);
    const none = await failure(resolveEnvironment(project(config('{ port: 8443 }')), 'staging', { env: {} }));
    expect(none.lines.join('\n')).toMatch(/router\.tls: expected certificates, acme, or both/);
  });
});

describe('ACME renewal window', () => {
  const validity = { notBefore: 0, notAfter: 90 * DAY };

  it('is a third of the lifetime by default, or renewBefore', () => {
    expect(renewAt(validity)).toBe(60 * DAY);
    expect(isDue(validity, 60 * DAY - 1)).toBe(false);
    expect(isDue(validity, 60 * DAY)).toBe(true);
    expect(renewAt(validity, 10 * DAY)).toBe(80 * DAY);
  });

  it('retries a failed renewal after 1 min, doubling to 1 h, never later than half the time left', () => {
    expect(retryDelayMs(1, validity, 0)).toBe(60_000);
    expect(retryDelayMs(3, validity, 0)).toBe(240_000);
    expect(retryDelayMs(20, validity, 0)).toBe(3_600_000);
    expect(retryDelayMs(20, validity, 90 * DAY - 30 * 60_000)).toBe(15 * 60_000);
    expect(retryDelayMs(20, null, 0)).toBe(3_600_000);
  });
});

describe('HTTP-01 answers', () => {
  it('answers a pending token with its key authorization byte for byte, an unknown token 404, other paths not at all', () => {
    const answers = new Http01Answers();
    answers.add('tok', 'tok.thumbprint');
    const pending = answers.answerFor('/.well-known/acme-challenge/tok')!;
    expect(pending.status).toBe(200);
    expect(pending.bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*content-length: 14\r\n[\s\S]*\r\n\r\ntok\.thumbprint$/);
    expect(answers.answerFor('/.well-known/acme-challenge/other')!.status).toBe(404);
    expect(answers.answerFor('/shop')).toBeNull();
    answers.remove('tok');
    expect(answers.answerFor('/.well-known/acme-challenge/tok')!.status).toBe(404);
  });
});
