// Lossless switching under load: the real detached router daemon proxies wrk traffic while the script switches
// blue -> green -> blue ... SWITCHES times. Reports wrk's request rate and failures, how long each control call took,
// and whether a request sent right after each call returned was already served by the new release.
// The upstream reached directly is measured in the same run, for scale: the router cannot go faster than that.
// Usage: node bench/router/switch.mjs [switches=20] [intervalMs=250] [connections=32] [threads=2]
// As root, `NICE=-15 setsid nice -n -15 node bench/router/switch.mjs …` runs all of it above other work: NICE also
// goes to this session's autogroup and to the daemon's (it is detached: a session of its own), since with autogroup
// scheduling `nice` alone only ranks processes within one session.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { ensureRouter } from '../../dist/src/router/ensure.js';

const switches = Number(process.argv[2] ?? 20);
const intervalMs = Number(process.argv[3] ?? 250);
const connections = Number(process.argv[4] ?? 32);
const threads = String(process.argv[5] ?? 2);
const here = new URL('.', import.meta.url).pathname;
const children = [];

// UPSTREAM=raw serves from raw-upstream.mjs (plain sockets, a quarter of node's HTTP server's CPU per request), so the
// router can be driven at a higher request rate on this box; the default is upstream.mjs (node's HTTP server).
const upstreamScript = process.env.UPSTREAM === 'raw' ? 'raw-upstream.mjs' : 'upstream.mjs';

function startUpstream(release, port) {
  const child = spawn(process.execPath, [join(here, upstreamScript)], { env: { ...process.env, PORT: String(port), RELEASE: release }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve) => child.stdout.once('data', () => resolve({ id: release, url: `http://127.0.0.1:${port}` })));
}

const stateDir = mkdtempSync(join(tmpdir(), 'shipgate-switch-'));
const port = 19400 + Math.floor(Math.random() * 500);
let client;
try {
  const blue = await startUpstream('blue', port + 1);
  const green = await startUpstream('green', port + 2);
  client = await ensureRouter({ stateDir, port, host: '127.0.0.1' });
  if (process.env.NICE) {
    for (const pid of ['self', String((await client.status()).pid)]) {
      try {
        writeFileSync(`/proc/${pid}/autogroup`, process.env.NICE);
      } catch {
        // Not root, or no autogroup scheduling: nothing to raise.
      }
    }
  }
  await client.setActive(blue);
  const base = `http://127.0.0.1:${port}`;
  // Warm up, then the upstream alone for scale.
  execFileSync('wrk', [`-t${threads}`, `-c${connections}`, '-d2s', base]);
  const directOut = execFileSync('wrk', [`-t${threads}`, `-c${connections}`, '-d3s', blue.url]).toString();
  const directRps = Number(/Requests\/sec:\s+([\d.]+)/.exec(directOut)?.[1] ?? 0);

  const seconds = Math.ceil((switches * 2 * intervalMs) / 1000) + 2;
  const wrk = spawn('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, base], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(wrk);
  let output = '';
  wrk.stdout.on('data', (chunk) => (output += chunk));
  const wrkDone = new Promise((resolve) => wrk.on('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const callMs = [];
  const probeMs = [];
  let probesOnNew = 0;
  for (let i = 0; i < switches * 2; i++) {
    const target = i % 2 === 0 ? green : blue;
    const started = performance.now();
    await client.setActive(target, { drainTimeoutMs: 5000 });
    const returned = performance.now();
    callMs.push(returned - started);
    const probe = await request(base, { reset: true });
    await probe.body.dump();
    probeMs.push(performance.now() - returned);
    if (probe.headers['x-release'] === target.id) probesOnNew++;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await wrkDone;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const total = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0;
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const pct = (values, p) => sorted(values)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))].toFixed(2);
  const status = await client.status();
  console.log(`switches: ${switches} to green and ${switches} back, one every ${intervalMs} ms, ${connections} connections, upstream ${upstreamScript}`);
  console.log(`load: ${total} requests at ${rps.toFixed(0)} req/s; non-2xx: ${non2xx}; socket errors: ${socketErrors}`);
  console.log(`the upstream reached directly, same run: ${directRps.toFixed(0)} req/s (router ${((100 * rps) / directRps).toFixed(0)}% of it); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log(`setActive call (incl. atomic table write): p50 ${pct(callMs, 50)} ms, max ${pct(callMs, 100)} ms`);
  console.log(`first request after the call returned: served by the new release ${probesOnNew}/${switches * 2}, answered after p50 ${pct(probeMs, 50)} ms, max ${pct(probeMs, 100)} ms`);
  console.log(`routing table version after the run: ${status.table.version}`);
  console.log(non2xx === 0 && socketErrors === 0 && probesOnNew === switches * 2 ? 'RESULT: lossless' : 'RESULT: FAILURES');
} finally {
  if (client) await client.shutdown(1000).catch(() => undefined);
  for (const child of children) child.kill();
  rmSync(stateDir, { recursive: true, force: true });
}
