// A minimal upstream on plain sockets for the switching benchmark: answers each bodyless request (GET/HEAD, what wrk
// sends) with a fixed small JSON body and its release name, keep-alive and pipelining included. It costs about a
// quarter of node's HTTP server per request, so more of the box is left for the router under test.
import { createServer } from 'node:net';

const port = Number(process.env.PORT ?? 0);
const release = process.env.RELEASE ?? 'bench';
const body = JSON.stringify({ ok: true, release });
const answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-release: ${release}\r\n\r\n${body}`);
const CRLF2 = Buffer.from('\r\n\r\n');

const server = createServer({ noDelay: true }, (socket) => {
  let pending = null;
  socket.on('data', (chunk) => {
    let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
    let answers = 0;
    for (let end = buf.indexOf(CRLF2); end >= 0; end = buf.indexOf(CRLF2)) {
      answers++;
      buf = buf.subarray(end + 4);
    }
    pending = buf.length > 0 ? Buffer.from(buf) : null;
    if (answers === 1) socket.write(answer);
    else if (answers > 1) socket.write(Buffer.concat(Array(answers).fill(answer)));
  });
  socket.on('error', () => undefined);
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
