import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploySummary } from '../../../src/contracts/summary.js';
import type { StatusView } from '../../../src/cli/commands/status.js';
import { freePort } from '../../helpers/free-port.js';
import { runCli } from '../../cli/helpers.js';
import { pebbleInstalled, startPebble, type Pebble } from '../../helpers/pebble.js';
import { recordSkipReason } from '../../helpers/skip-reasons.js';
import { ensureBuilt } from '../../setup/build.js';
import { git, tinyProject } from '../../platforms/local/helpers/tiny-project.js';

const installed = pebbleInstalled();
if (!installed) recordSkipReason('pebble is not installed (apt-get install pebble)');

/**
 * `router.tls.acme` through the real CLI on the local platform: the runtime daemon orders the certificate from Pebble
 * during the deploy; a deploy that adds a host whose challenge fails exits 3 with one line, and the certificate and
 * the release served before are still served.
 */
describe.skipIf(!installed)('deploy with router.tls.acme (Pebble)', () => {
  let dir: string;
  let pebble: Pebble;
  let tlsPort: number;
  let root: string;
  let pebbleDir: string;
  let port: number;
  let base: string;
  const config = (hosts: string[]) =>
    `${base}router: { tls: { port: ${tlsPort}, acme: { directory: "${pebble.directory}", ca: "${pebble.listenerCa}", hosts: [${hosts.join(', ')}] } } }\n`;

  const deploy = async () => {
    const run = await runCli(['staging', '--yes', '--json'], { cwd: dir });
    return { code: run.code, summary: JSON.parse(run.stdout) as DeploySummary & { message?: string }, stderr: run.stderr };
  };
  /** The certificate and release a TLS client that verifies against Pebble's root gets for a.test. */
  const served = (): Promise<{ fingerprint: string; release: string }> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: tlsPort, servername: 'a.test', ca: root }, () => {
        const fingerprint = socket.getPeerX509Certificate()!.fingerprint256;
        socket.write('GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('end', () => resolve({ fingerprint, release: /x-release: (\S+)/i.exec(answer)?.[1] ?? `no release in ${answer.slice(0, 80)}` }));
      });
      socket.once('error', reject);
    });

  beforeAll(async () => {
    [dir, tlsPort] = await Promise.all([tinyProject('shipgate-acme-deploy-'), freePort(), ensureBuilt()]).then(([d, t]) => [d, t]);
    base = readFileSync(join(dir, 'deploy.config.yaml'), 'utf8');
    port = Number(/port: (\d+)/.exec(base)![1]);
    pebbleDir = mkdtempSync(join(tmpdir(), 'shipgate-pebble-'));
    pebble = await startPebble({ dir: pebbleDir, httpPort: port, tlsPort, validitySeconds: 3600 });
    await pebble.addHost('a.test');
    root = await pebble.root();
    writeFileSync(join(dir, 'deploy.config.yaml'), config(['a.test']));
    git(dir, 'commit', '-qam', 'https over ACME');
  }, 180_000);

  afterAll(async () => {
    if (dir) expect((await runCli(['stop', 'staging', '--yes'], { cwd: dir })).code).toBe(0);
    await pebble?.stop();
    for (const path of [dir, pebbleDir]) if (path) rmSync(path, { recursive: true, force: true });
  });

  it('orders the certificate during the deploy; a failed challenge on the next one is exit 3 in one line, the old certificate and release still served', async () => {
    const first = await deploy();
    expect(first.code, first.stderr).toBe(0);
    const before = await served();
    expect(before.release).toBe(first.summary.release?.id);

    // deploy status shows the served certificate from the router's status file, in JSON and in words.
    const status = await runCli(['status', 'staging', '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(0);
    const [certificate] = (JSON.parse(status.stdout) as StatusView).certificates!;
    expect(certificate).toMatchObject({ hosts: ['a.test'], source: 'acme', sans: ['DNS:a.test'], daysLeft: 0, fingerprint256: before.fingerprint, lastRenewalError: null, warning: null });
    expect(certificate.issuer).toMatch(/^CN=Pebble Intermediate CA/);
    const words = await runCli(['status', 'staging'], { cwd: dir });
    expect(words.stdout).toMatch(/\n {2}tls: {6}a\.test \(acme\): CN=a\.test \[DNS:a\.test\], issuer CN=Pebble Intermediate CA \w+\n {12}expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(less than a day left\), next renewal \d{4}-/);

    writeFileSync(join(dir, 'deploy.config.yaml'), config(['a.test', 'nowhere.test']));
    git(dir, 'commit', '-qam', 'a host nobody can validate');
    const second = await deploy();
    expect(second.code, second.stderr).toBe(3);
    const message = second.summary.message ?? '';
    expect(message).toMatch(/^router\.tls\.acme: no certificate for nowhere\.test from https:\/\/127\.0\.0\.1:\d+\/dir: .*resolve/);
    expect(message).not.toContain('\n');
    expect(await served()).toEqual(before);
  });
});
