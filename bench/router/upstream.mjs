// A tiny upstream for the router benchmarks: answers every request with a small JSON body and its release name.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const release = process.env.RELEASE ?? 'bench';
const body = JSON.stringify({ ok: true, release });
// /big: BIG_KB KiB (default 256), for clients that never read (bench/router/attack.sh).
const big = Buffer.alloc(Number(process.env.BIG_KB ?? 256) * 1024, 0x61);
const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') req.resume();
  if (req.url === '/big') {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
    res.end(big);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-release': release });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
