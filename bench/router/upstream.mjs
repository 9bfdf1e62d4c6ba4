// A tiny upstream for the router benchmarks: answers every request with a small JSON body and its release name.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const release = process.env.RELEASE ?? 'bench';
const body = JSON.stringify({ ok: true, release });
const server = createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-release': release });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
