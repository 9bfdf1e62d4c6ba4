import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { connectRouter, type RouterClient } from '../../../src/router/client.js';
import { pushRouterSettings } from '../../../src/router/push-settings.js';
import { startRuntime, type Runtime } from '../../../src/router/runtime.js';
import type { RouterSettings } from '../../../src/router/settings.js';
import { readCertificateStatus } from '../../../src/router/tls/certificate-status.js';
import { certificateViews } from '../../../src/cli/commands/certificates-view.js';
import { freePort } from '../../helpers/free-port.js';
import { pebbleInstalled, startPebble, type Pebble } from '../../helpers/pebble.js';
import { recordSkipReason } from '../../helpers/skip-reasons.js';
import { startUpstream, type TestUpstream } from '../helpers.js';
import { rawExchange } from '../raw.js';

/**
 * Automatic certificates against Debian's real Pebble: HTTP-01 answered by the router on its plain-HTTP port, served
 * by SNI and verified against Pebble's root, renewed with an open connection carrying on, and failed orders that
 * leave the old certificate in place. The renewal clock is injected; nothing waits on time.
 */
const installed = pebbleInstalled();
if (!installed) recordSkipReason('pebble is not installed (apt-get install pebble)');

describe.skipIf(!installed)('TLS over ACME (Pebble)', () => {
  let dir: string;
  let stateDir: string;
  let pebble: Pebble;
  let runtime: Runtime;
  let client: RouterClient;
  let upstream: TestUpstream;
  let root: string;
  let offsetMs = 0;
  let tlsPort: number;
  const logged: string[] = [];
  const sockets: TLSSocket[] = [];

  const startEnvironmentRuntime = (port: number) =>
    startRuntime({
      stateDir,
      port,
      host: '127.0.0.1',
      log: (line) => logged.push(line),
      acme: { now: () => Date.now() + offsetMs, autoRenew: false, timing: { pollMinMs: 20, pollMaxMs: 200 } },
    });

  const settings = (hosts: string[], challenge?: 'tls-alpn-01'): RouterSettings => ({
    limits: {},
    trustedProxies: [],
    trustUserHeader: false,
    accessLog: false,
    tls: { port: tlsPort, certificates: [], acme: { directory: pebble.directory, ca: pebble.listenerCa, hosts, ...(challenge ? { challenge } : {}) }, redirect: true, hstsSeconds: 3600 },
  });

  /** A TLS connection that verifies the chain against Pebble's root and the name against `servername`. */
  const open = (servername: string, verify = true): Promise<TLSSocket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: runtime.router.httpsPort!, servername, ca: root, rejectUnauthorized: verify }, () => resolve(socket));
      sockets.push(socket);
      socket.once('error', reject);
    });

  /** One keep-alive request on `socket`; the upstream answers chunked. */
  const request = (socket: TLSSocket, host: string): Promise<string> =>
    new Promise((resolve) => {
      let answer = '';
      const onData = (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        if (answer.endsWith('\r\n0\r\n\r\n')) {
          socket.off('data', onData);
          resolve(answer);
        }
      };
      socket.on('data', onData);
      socket.write(`GET /hello HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    });

  const served = async (host: string): Promise<string> => {
    const socket = await open(host);
    expect(socket.authorized).toBe(true);
    const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
    socket.destroy();
    return fingerprint;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipgate-acme-'));
    stateDir = join(dir, 'state');
    upstream = await startUpstream('blue');
    runtime = await startEnvironmentRuntime(0);
    await runtime.router.setActive({ id: 'blue', url: upstream.url });
    // Pebble validates HTTP-01 on the router's plain-HTTP port and TLS-ALPN-01 on its HTTPS port.
    tlsPort = await freePort();
    pebble = await startPebble({ dir, httpPort: runtime.router.port, tlsPort, validitySeconds: 3600 });
    await Promise.all([pebble.addHost('a.test'), pebble.addHost('b.test')]);
    root = await pebble.root();
    client = await connectRouter(stateDir);
  });

  beforeEach(() => {
    offsetMs = 0;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    client?.close();
    await runtime?.shutdown(100);
    await upstream?.close();
    await pebble?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('orders a certificate per host over HTTP-01 and serves each by SNI, verified against Pebble\'s root', async () => {
    await pushRouterSettings(client, settings(['a.test', 'b.test']));

    for (const host of ['a.test', 'b.test']) {
      const socket = await open(host);
      expect(socket.authorized).toBe(true);
      const certificate = socket.getPeerCertificate();
      expect(certificate.subjectaltname).toBe(`DNS:${host}`);
      expect(certificate.issuer.CN).toMatch(/^Pebble Intermediate CA/);
      const answer = await request(socket, host);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain('strict-transport-security: max-age=3600');
    }
    expect(upstream.seen.at(-1)!['x-forwarded-proto']).toBe('https');

    // Account key, keys and chains: owner-only.
    const files = readdirSync(join(stateDir, 'acme'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.map((file) => file.name).sort()).toEqual(['a.test.crt', 'a.test.key', 'account.key', 'b.test.crt', 'b.test.key']);
    for (const file of files) expect(statSync(join(file.parentPath, file.name)).mode & 0o777).toBe(0o600);

    // The challenge path is answered by the router itself, never by the release.
    const challenge = await rawExchange(runtime.router.port, ['GET /.well-known/acme-challenge/no-such-token HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n']);
    expect(challenge).toMatch(/^HTTP\/1\.1 404 [\s\S]*no such ACME challenge/);
    expect(logged).toContain(`acme: new certificate for a.test, b.test from ${pebble.directory}`);

    // What deploy status reads: each host's certificate from the ACME store, and when the router renews it.
    const views = certificateViews((await readCertificateStatus(stateDir))!, Date.now());
    expect(views.map((v) => [v.hosts, v.source, v.sans, v.lastRenewalError, v.warning])).toEqual([
      [['a.test'], 'acme', ['DNS:a.test'], null, null],
      [['b.test'], 'acme', ['DNS:b.test'], null, null],
    ]);
    expect(views[0].issuer).toMatch(/^CN=Pebble Intermediate CA/);
    // A third of the hour's lifetime left: renewal from 40 minutes on.
    expect(Date.parse(views[0].notAfter) - Date.parse(views[0].nextRenewalAt!)).toBeCloseTo((Date.parse(views[0].notAfter) - Date.parse(views[0].notBefore)) / 3, -1);
  });

  it('renews before expiry: new handshakes get the new certificate, an open keep-alive connection carries on', async () => {
    const kept = await open('a.test');
    expect(await request(kept, 'a.test')).toMatch(/^HTTP\/1\.1 200 /);
    const before = kept.getPeerX509Certificate()!;
    expect(await runtime.router.renewCertificates()).toMatchObject({ renewed: [] }); // not due yet

    // 50 of the certificate's 60 minutes later: less than a third of its life is left.
    offsetMs = 50 * 60_000;
    const pass = await runtime.router.renewCertificates();
    expect(pass!.renewed).toEqual(['a.test', 'b.test']);
    expect(pass!.kept).toEqual([]);

    expect(await request(kept, 'a.test')).toMatch(/^HTTP\/1\.1 200 /);
    const fresh = await open('a.test');
    expect(fresh.authorized).toBe(true);
    expect(fresh.getPeerX509Certificate()!.fingerprint256).not.toBe(before.fingerprint256);
    expect(await request(fresh, 'a.test')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('a host whose challenge fails: one line naming it and the ACME problem, exit code 3, the old certificates still served', async () => {
    const a = await served('a.test');
    const error = await pushRouterSettings(client, settings(['a.test', 'b.test', 'nowhere.test'])).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(3);
    expect((error as UserError).message).not.toContain('\n');
    expect((error as UserError).message).toMatch(/^router\.tls\.acme: no certificate for nowhere\.test from https:\/\/127\.0\.0\.1:\d+\/dir: .*nowhere\.test.*resolve/);
    expect(await served('a.test')).toBe(a);
    // The refused change changed nothing: the new host has no certificate and the old set is still the one served.
    const unknown = await open('nowhere.test', false);
    expect(unknown.getPeerCertificate().subjectaltname).toBe('DNS:a.test');
  });

  it('a renewal whose challenge fails keeps serving the current certificate and says why in the log', async () => {
    const a = await served('a.test');
    const b = await served('b.test');
    await pebble.removeHost('a.test');
    offsetMs = 50 * 60_000;
    const pass = await runtime.router.renewCertificates();
    expect(pass!.renewed).toEqual(['b.test']);
    expect(pass!.kept.map((k) => k.failure.host)).toEqual(['a.test']);
    expect(await served('a.test')).toBe(a);
    expect(await served('b.test')).not.toBe(b);
    const line = logged.find((l) => l.startsWith('acme: renewing a.test failed: '));
    expect(line).toMatch(/a\.test.*resolve.*; still serving its certificate valid until \d{4}-/);

    // deploy status: the failure, the retry, and a warning, since the certificate is in its renewal window.
    const now = Date.now() + offsetMs;
    const [viewA, viewB] = certificateViews((await readCertificateStatus(stateDir))!, now);
    expect(viewA.fingerprint256).toBe(a);
    expect(viewA.lastRenewalError).toMatchObject({ attempts: 1, detail: expect.stringMatching(/resolve/) });
    expect(Date.parse(viewA.nextRenewalAt!)).toBeGreaterThan(Date.parse(viewA.lastRenewalError!.at));
    expect(viewA.warning).toMatch(/^expires in \d+ min and renewing fails \(1 attempt\): .*resolve/);
    expect(viewB).toMatchObject({ lastRenewalError: null, warning: null });
    expect(viewB.fingerprint256).not.toBe(b);
    await pebble.addHost('a.test');
  });

  it('TLS-ALPN-01: a host validated on the HTTPS port, whose acme-tls/1 handshakes get nothing once the order is done', async () => {
    await pebble.addHost('c.test');
    await pushRouterSettings(client, settings(['a.test', 'b.test', 'c.test'], 'tls-alpn-01'));
    expect(logged).toContain(`acme: new certificate for c.test from ${pebble.directory}`);
    const socket = await open('c.test');
    expect(socket.getPeerCertificate().subjectaltname).toBe('DNS:c.test');
    expect(socket.alpnProtocol).toBe(false);
    expect(await request(socket, 'c.test')).toMatch(/^HTTP\/1\.1 200 /);
    // No challenge pending: a validation handshake is refused, not answered with a certificate.
    const refused = await new Promise<string>((resolve) => {
      const probe = connect({ host: '127.0.0.1', port: tlsPort, servername: 'c.test', ALPNProtocols: ['acme-tls/1'], rejectUnauthorized: false }, () => resolve('connected'));
      probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
  });

  it('a restarted runtime serves the stored certificates at once, without a new order', async () => {
    const a = await served('a.test');
    const port = runtime.router.port;
    client.close();
    await runtime.shutdown(100);
    logged.length = 0;
    runtime = await startEnvironmentRuntime(port);
    client = await connectRouter(stateDir);
    expect(await served('a.test')).toBe(a);
    expect(logged.filter((l) => l.startsWith('acme: new certificate'))).toEqual([]);
  });
});
