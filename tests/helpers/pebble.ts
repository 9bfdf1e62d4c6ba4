import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const PEBBLE = '/usr/bin/pebble';
const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

export function pebbleInstalled(): boolean {
  return existsSync(PEBBLE) && existsSync(CHALLTESTSRV);
}

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** PEM file of the self-signed certificate Pebble's own HTTPS listener uses: what a client must trust to reach it. */
  listenerCa: string;
  /** Pebble's issuing root (PEM), from its management interface: what a TLS client verifies issued certificates with. */
  root(): Promise<string>;
  /** Points `host` at `address` in the mock DNS Pebble's validation uses; a host with no record does not resolve. */
  addHost(host: string, address?: string): Promise<void>;
  removeHost(host: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  dir: string;
  /** Where Pebble's validation connects for HTTP-01 (the router's plain-HTTP port) and TLS-ALPN-01. */
  httpPort: number;
  tlsPort: number;
  /** Lifetime of issued certificates. */
  validitySeconds: number;
}

/**
 * Debian's real Pebble (the Let's Encrypt test CA) with validation on, and pebble-challtestsrv as its DNS server, so
 * test host names resolve to 127.0.0.1 only when a test says so. No random validation sleeps; authorizations are
 * never reused, so each order is validated again. Ports are probed free; a lost race is retried.
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const cert = join(options.dir, 'pebble-listener.crt');
  const key = join(options.dir, 'pebble-listener.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=pebble', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  for (let attempt = 1; ; attempt++) {
    const [acmePort, managementPort, dnsPort, dnsManagementPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const dns = spawn(CHALLTESTSRV, ['-defaultIPv4', '', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsManagementPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const config = join(options.dir, 'pebble-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${managementPort}`,
          certificate: cert,
          privateKey: key,
          httpPort: options.httpPort,
          tlsPort: options.tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          certificateValidityPeriod: options.validitySeconds,
        },
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0' };
    delete env.PEBBLE_VA_ALWAYS_VALID;
    const pebble = spawn(PEBBLE, ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict', 'false'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const ready = await Promise.all([waitForLine(dns, 'Starting management server'), waitForLine(pebble, 'ACME directory available')]).then(
      () => null,
      (error: Error) => error,
    );
    if (ready !== null) {
      await Promise.all([stopProcess(dns), stopProcess(pebble)]);
      if (attempt >= 3) throw ready;
      continue;
    }
    const dnsApi = (path: string, body: unknown) => postJson(`http://127.0.0.1:${dnsManagementPort}${path}`, body);
    return {
      directory: `https://127.0.0.1:${acmePort}/dir`,
      listenerCa: cert,
      root: () => getText(`https://127.0.0.1:${managementPort}/roots/0`, readFileSync(cert)),
      addHost: (host, address = '127.0.0.1') => dnsApi('/add-a', { host, addresses: [address] }),
      removeHost: (host) => dnsApi('/clear-a', { host }),
      stop: async () => {
        const [a, b] = await Promise.all([stopProcess(pebble), stopProcess(dns)]);
        // Killed by our SIGTERM is the expected end; anything else (a crash) fails the test.
        if (a !== 'SIGTERM' && a !== 0) throw new Error(`pebble ended with ${a}`);
        if (b !== 'SIGTERM' && b !== 0) throw new Error(`pebble-challtestsrv ended with ${b}`);
      },
    };
  }
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${child.spawnfile} exited (${code}) before "${text}": ${output.trim().split('\n').at(-1) ?? ''}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
    child.kill('SIGTERM');
  });
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
}

function getText(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`${url}: HTTP ${response.statusCode}`))));
    }).on('error', reject);
  });
}
