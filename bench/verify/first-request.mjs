#!/usr/bin/env node
// What the first smoke run and the first probe run cost a fresh node process (the orchestrator makes both at the
// start of a deploy's verification): main-thread CPU (process.cpuUsage, user + system) and wall time of the call,
// then of a second call. Each trial is a new process that has imported the verify modules already; the server is
// this process. With --against <other dist>, trials of both builds are interleaved, so load hits both alike.
// Usage: node bench/verify/first-request.mjs [--trials 10] [--against /path/to/other/dist]   (after npm run build)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const { values } = parseArgs({ options: { trials: { type: 'string', default: '10' }, against: { type: 'string' } } });
const builds = { this: join(root, 'dist') };
if (values.against) builds.against = values.against;
for (const dist of Object.values(builds)) if (!existsSync(join(dist, 'src/verify/smoke.js'))) throw new Error(`no build at ${dist}`);

// The child runs one call of `first` then one of `second`, each timed; it prints JSON.
const child = `
const [dist, url, first] = process.argv.slice(1);
const { runSmoke } = await import(dist + '/src/verify/smoke.js');
const { generateProbeTraffic } = await import(dist + '/src/verify/probe.js');
const calls = {
  smoke: () => runSmoke(url, ['GET /', '/health'], { timeoutMs: 5000 }),
  probe: () => generateProbeTraffic(url, ['/'], { count: 20, concurrency: 2, deadlineMs: 5000 }),
};
const timed = async (call) => {
  const cpu = process.cpuUsage();
  const t = performance.now();
  await call();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t };
};
const one = await timed(calls[first]);
const two = await timed(calls[first === 'smoke' ? 'probe' : 'smoke']);
console.log(JSON.stringify({ first: one, second: two }));
`;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}`;

const runChild = (dist, first) =>
  new Promise((resolve, reject) => {
    // Async, so this process keeps answering the child's requests.
    execFile(process.execPath, ['--input-type=module', '-e', child, dist, url, first], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
  });

const samples = {};
const loads = [];
for (let trial = 0; trial < Number(values.trials); trial++) {
  for (const first of ['smoke', 'probe']) {
    for (const [name, dist] of Object.entries(builds)) {
      loads.push(loadavg()[0]);
      const { first: one, second: two } = await runChild(dist, first);
      const key = `${name} ${first} first`;
      (samples[key] ??= { first: [], second: [] }).first.push(one);
      samples[key].second.push(two);
    }
  }
}
server.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {};
for (const [key, { first, second }] of Object.entries(samples)) {
  summary[key] = {
    firstCallCpuMs: median(first.map((s) => s.cpuMs)).toFixed(1),
    firstCallWallMs: median(first.map((s) => s.wallMs)).toFixed(1),
    secondCallCpuMs: median(second.map((s) => s.cpuMs)).toFixed(1),
    secondCallWallMs: median(second.map((s) => s.wallMs)).toFixed(1),
  };
}
console.log(JSON.stringify({ trials: Number(values.trials), builds, medians: summary, loadAverage: { min: Math.min(...loads).toFixed(2), max: Math.max(...loads).toFixed(2) } }, null, 2));
