// CPU the router spends relaying a tunnel (an upgraded connection, as a WebSocket is): an upstream answers 101 and
// sends MB megabytes as fast as the client reads them; the router's CPU time (/proc/<pid>/stat) per GiB relayed,
// for this build and, with BEFORE=path/to/dist, an older one, interleaved round by round.
// Usage: node bench/router/tunnel.mjs [rounds=5] [MB=512]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.argv[2] ?? 5);
const total = Number(process.argv[3] ?? 512) * 1024 * 1024;
const runRouter = fileURLToPath(new URL('./run-router.mjs', import.meta.url));
const chunk = Buffer.alloc(64 * 1024, 'x');

const upstream = createServer((socket) => {
  socket.once('data', () => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: bench\r\nconnection: upgrade\r\n\r\n');
    let left = total;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  socket.on('error', () => undefined);
});
await new Promise((done) => upstream.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${upstream.address().port}`;

const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
};

async function once(dist) {
  const env = { ...process.env, PORT: '0', UPSTREAM: origin, ...(dist ? { DIST: dist } : {}) };
  delete env.BEFORE;
  const router = spawn(process.execPath, [runRouter], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((done) => router.stdout.once('data', (line) => done(Number(/listening (\d+)/.exec(String(line))[1]))));
  const before = cpuMs(router.pid);
  const started = performance.now();
  await new Promise((done, fail) => {
    let got = 0;
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: bench\r\n\r\n'));
    socket.on('data', (data) => (got += data.length));
    socket.on('end', () => (got >= total ? done() : fail(new Error(`only ${got} bytes`))));
    socket.on('error', fail);
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(router.pid) - before;
  router.kill();
  return { cpuPerGiB: (cpu * 1024 ** 3) / total, mbps: total / 1024 ** 2 / seconds };
}

const results = { now: [], before: [] };
for (let round = 1; round <= rounds; round++) {
  const order = process.env.BEFORE ? (round % 2 ? ['now', 'before'] : ['before', 'now']) : ['now'];
  for (const which of order) {
    const r = await once(which === 'before' ? process.env.BEFORE : undefined);
    results[which].push(r);
    console.log(`${round} ${which.padEnd(6)} router CPU ${r.cpuPerGiB.toFixed(0).padStart(5)} ms per GiB, ${r.mbps.toFixed(0).padStart(5)} MiB/s`);
  }
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [which, rows] of Object.entries(results)) {
  if (rows.length) console.log(`${which}: median ${median(rows.map((r) => r.cpuPerGiB)).toFixed(0)} ms CPU per GiB, ${median(rows.map((r) => r.mbps)).toFixed(0)} MiB/s`);
}
console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
upstream.close();
