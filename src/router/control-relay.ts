#!/usr/bin/env node
/**
 * `node control-relay.js <socket>`: joins stdin/stdout to a router's control socket. Run with `docker exec -i` in
 * the router's container, it lets the CLI speak the control protocol to a router on a remote engine through the
 * engine's own connection (DOCKER_HOST), with no port opened for it. Exits 2 when no router listens there.
 */
import { connect } from 'node:net';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: control-relay.js <control socket>\n');
  process.exit(2);
}
const socket = connect(path);
socket.once('connect', () => {
  process.stdin.pipe(socket);
  socket.pipe(process.stdout);
});
socket.once('error', (error: NodeJS.ErrnoException) => {
  process.stderr.write(`no router is listening on ${path} (${error.code ?? error.message})\n`);
  process.exit(2);
});
socket.once('close', () => process.exit(0));
