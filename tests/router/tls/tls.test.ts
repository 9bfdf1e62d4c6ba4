import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter, type Router } from '../../../src/router/router.js';
import { CERTIFICATE_STATUS_FILE, readCertificateStatus } from '../../../src/router/tls/certificate-status.js';
import { certificateViews } from '../../../src/cli/commands/certificates-view.js';
import type { RouterSettings } from '../../../src/router/settings.js';
import { startUpstream } from '../helpers.js';
import { rawExchange } from '../raw.js';
import { externalAddress } from '../../helpers/external-address.js';

/** HTTPS from certificate files: SNI, redirect, HSTS, a certificate swap that drops no open connection. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A self-signed certificate for `host` made by openssl (ECDSA P-256, or RSA); the key file 0600. */
function certificate(dir: string, host: string, name = host, type: 'ec' | 'rsa' = 'ec', days = 2): { hosts: string[]; cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const keyArgs = type === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-days', String(days), '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { hosts: [host], cert, key };
}

/** One request over TLS with `servername` (none: no SNI, as a client that dialled an address); resolves the certificate's CN and the raw answer. */
function httpsGet(port: number, servername: string | null, request: string, alpn?: string[]): Promise<{ cn: string; answer: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), ALPNProtocols: alpn, rejectUnauthorized: false }, () => {
      const cn = String(socket.getPeerCertificate().subject.CN);
      socket.write(request);
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
        // The upstream answers chunked: the answer is complete at the last chunk.
        if (answer.endsWith('\r\n0\r\n\r\n')) resolve({ cn, answer, socket });
      });
    });
    socket.on('error', reject);
    cleanups.push(async () => void socket.destroy());
  });
}

/** A temporary folder for certificates, removed after the test. */
function certificatesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-tls-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A router on an ephemeral port with an upstream "blue" active; both closed after the test. */
async function routerServingBlue(): Promise<Router> {
  const blue = await startUpstream('blue');
  cleanups.push(() => blue.close());
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => router.close(100));
  await router.setActive({ id: 'blue', url: blue.url });
  return router;
}

describe('TLS from certificate files', () => {
  it('serves several hosts by SNI, redirects HTTP, sends HSTS, and swaps certificates without dropping a connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-tls-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    // On every address: the redirect is for remote clients, so one connects through a non-loopback address.
    const router: Router = await createRouter({ port: 0, host: '0.0.0.0' });
    cleanups.push(() => router.close(100));
    await router.setActive({ id: 'blue', url: blue.url });
    const settings: RouterSettings = {
      limits: {},
      trustedProxies: [],
      trustUserHeader: false,
      tls: { port: 0, certificates: [certificate(dir, 'a.test'), certificate(dir, 'b.test')], redirect: true, hstsSeconds: 86_400 },
    };
    await router.configure(settings);
    const port = router.httpsPort!;

    const a = await httpsGet(port, 'a.test', 'GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n');
    expect(a.cn).toBe('a.test');
    expect(a.answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(a.answer).toContain('strict-transport-security: max-age=86400');
    expect(blue.seen.at(-1)!['x-forwarded-proto']).toBe('https');
    expect((await httpsGet(port, 'b.test', 'GET / HTTP/1.1\r\nHost: b.test\r\n\r\n')).cn).toBe('b.test');

    const redirect = await rawExchange(router.port, ['GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nConnection: close\r\n\r\n'], 2, 10_000, externalAddress());
    expect(redirect).toMatch(new RegExp(`^HTTP/1\\.1 308 [\\s\\S]*location: https://a\\.test:${port}/p\\?q=1\\r\\n`));
    // The machine's own clients (the deploy's verification probes) still reach the release over plain HTTP.
    expect(await rawExchange(router.port, ['GET /p HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n'])).toMatch(/^HTTP\/1\.1 200 /);

    // Renewal: new files, configure again. The open connection keeps working; new handshakes get the new certificate.
    const renewed = certificate(dir, 'a.test', 'a-renewed');
    const before = a.socket.getPeerX509Certificate()!.fingerprint256;
    await router.configure({ ...settings, tls: { ...settings.tls!, certificates: [renewed, settings.tls!.certificates[1]] } });
    const again = new Promise<string>((resolve) => a.socket.once('data', (chunk) => resolve(chunk.toString('latin1'))));
    a.socket.write('GET /again HTTP/1.1\r\nHost: a.test\r\n\r\n');
    expect(await again).toMatch(/^HTTP\/1\.1 200 /);
    const fresh = await httpsGet(port, 'a.test', 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    expect(fresh.socket.getPeerX509Certificate()!.fingerprint256).not.toBe(before);
  });

  it('serves an RSA certificate by SNI beside an ECDSA one (OpenSSL would prefer an ECDSA default in its place)', async () => {
    const dir = certificatesDir();
    const router = await routerServingBlue();
    const certificates = [certificate(dir, 'ec.test'), certificate(dir, 'rsa.test', 'rsa.test', 'rsa')];
    await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 0, certificates, redirect: false, hstsSeconds: 0 } });
    expect((await httpsGet(router.httpsPort!, 'rsa.test', 'GET / HTTP/1.1\r\nHost: rsa.test\r\n\r\n')).cn).toBe('rsa.test');
    expect((await httpsGet(router.httpsPort!, 'ec.test', 'GET / HTTP/1.1\r\nHost: ec.test\r\n\r\n')).cn).toBe('ec.test');
  });

  it('answers a client that sends no SNI and offers ALPN (curl or a browser dialling the address) with the default certificate', async () => {
    const dir = certificatesDir();
    const router = await routerServingBlue();
    await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 0, certificates: [certificate(dir, 'app.test')], redirect: false, hstsSeconds: 0 } });
    const served = await httpsGet(router.httpsPort!, null, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', ['h2', 'http/1.1']);
    expect(served.cn).toBe('app.test');
    expect(served.socket.alpnProtocol).toBe('http/1.1');
    expect(served.answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses a key readable by others, naming the field, and keeps serving the old certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-tls-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const router = await createRouter({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => router.close(100));
    const good = certificate(dir, 'a.test');
    await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 0, certificates: [good], redirect: false, hstsSeconds: 0 } });
    const open = certificate(dir, 'a.test', 'open');
    chmodSync(open.key, 0o644);
    await expect(router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 0, certificates: [open], redirect: false, hstsSeconds: 0 } })).rejects.toThrow(
      /router\.tls\.certificates\[0\]\.key: .* is readable by others \(mode 644\)/,
    );
    const blue = await startUpstream('blue');
    cleanups.push(() => blue.close());
    await router.setActive({ id: 'blue', url: blue.url });
    const served = await httpsGet(router.httpsPort!, 'a.test', 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    expect(served.socket.getPeerX509Certificate()!.fingerprint256).toBe(execFileSync('openssl', ['x509', '-in', good.cert, '-noout', '-fingerprint', '-sha256']).toString().split('=')[1].trim());
  });

  it('writes what it serves for deploy status: subject, SANs, issuer and expiry as openssl made them; under 7 days left is a warning; TLS off removes it', async () => {
    const dir = certificatesDir();
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    const router = await createRouter({ port: 0, host: '127.0.0.1', stateDir });
    cleanups.push(() => router.close(100));
    const soon = certificate(dir, 'soon.test', 'soon', 'ec', 2);
    const later = certificate(dir, 'later.test', 'later', 'rsa', 90);
    const base: RouterSettings = { limits: {}, trustedProxies: [], trustUserHeader: false, accessLog: false };
    await router.configure({ ...base, tls: { port: 0, certificates: [soon, later], redirect: false, hstsSeconds: 0 } });

    expect(statSync(join(stateDir, CERTIFICATE_STATUS_FILE)).mode & 0o777).toBe(0o600);
    const status = (await readCertificateStatus(stateDir))!;
    const fingerprint = (file: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256']).toString().split('=')[1].trim();
    const enddate = (file: string) => Date.parse(execFileSync('openssl', ['x509', '-in', file, '-noout', '-enddate']).toString().split('=')[1].trim());
    const [a, b] = certificateViews(status, Date.now());
    expect(a).toMatchObject({ hosts: ['soon.test'], source: 'files', subject: 'CN=soon.test', sans: ['DNS:soon.test'], issuer: 'CN=soon.test', daysLeft: 1, file: soon.cert, nextRenewalAt: null, lastRenewalError: null });
    expect(a.fingerprint256).toBe(fingerprint(soon.cert));
    expect(Date.parse(a.notAfter)).toBe(enddate(soon.cert));
    expect(a.warning).toMatch(/^expires in 1 day; put the new certificate file in place and deploy$/);
    expect(b).toMatchObject({ hosts: ['later.test'], source: 'files', subject: 'CN=later.test', daysLeft: 89, warning: null });
    expect(Date.parse(b.notAfter)).toBe(enddate(later.cert));
    // Seen from 89 days on, the 90-day certificate has expired.
    expect(certificateViews(status, Date.now() + 90 * 86_400_000)[1].warning).toMatch(/^expired \d{4}-\d\d-\d\d \d\d:\d\d UTC; clients refuse it$/);

    // A replaced file is what the status shows once it is served.
    const renewed = certificate(dir, 'soon.test', 'soon-renewed', 'ec', 30);
    await router.configure({ ...base, tls: { port: 0, certificates: [renewed, later], redirect: false, hstsSeconds: 0 } });
    expect(certificateViews((await readCertificateStatus(stateDir))!, Date.now())[0]).toMatchObject({ file: renewed.cert, fingerprint256: fingerprint(renewed.cert), daysLeft: 29, warning: null });

    await router.configure(base);
    expect(existsSync(join(stateDir, CERTIFICATE_STATUS_FILE))).toBe(false);
    expect(await readCertificateStatus(stateDir)).toBeNull();
  });
});
