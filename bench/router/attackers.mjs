// Hostile clients for bench/router/attack.sh, against 127.0.0.1:PORT only, bounded in count and time.
// MODE=attack: COUNT connections, half slowloris (a head that never ends, one more header byte a second), half that
// request /big and never read. MODE=slowloris or MODE=noread: all COUNT of one kind. MODE=idle: COUNT connections that
// connect and send nothing.
// Each connection comes from an address of its own (127.1.x.y), as attackers from many addresses would, so the
// router's per-client cap does not simply refuse them (wrk's normal traffic comes from 127.0.0.1).
// RECONNECT=1: an attacker the router disconnects (head or send timeout) connects again at once and starts over, as
// slowloris tools do, so COUNT attackers are held all the time.
// Prints "ready" once all are connected, then holds them until SIGTERM or SECONDS pass.
import { connect } from 'node:net';

const port = Number(process.env.PORT);
const count = Number(process.env.COUNT ?? 1000);
const mode = process.env.MODE ?? 'attack';
const seconds = Number(process.env.SECONDS ?? 120);
const reconnect = process.env.RECONNECT === '1';
const sockets = [];
const slowloris = (i) => mode === 'slowloris' || (mode === 'attack' && i % 2 === 0);
let connected = 0;
let stopping = false;

function open(i) {
  const localAddress = `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;
  const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
    if (mode !== 'idle') {
      if (slowloris(i)) socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      else {
        socket.pause();
        socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      }
    }
    if (++connected === count) process.stdout.write('ready\n');
  });
  socket.on('error', () => undefined);
  if (reconnect) socket.on('close', () => stopping || open(i));
  sockets[i] = socket;
}

// Idle connections open in batches: a burst of thousands overflows the listen backlog, and a connection the server
// dropped there is connected for the client but never accepted (found at 5,000: about 1,000 were not), so the
// figure per connection came out low. The attack modes keep their burst: absorbing it is part of what they measure.
if (mode === 'idle') {
  for (let first = 0; first < count; first += 200) {
    const batch = [];
    for (let i = first; i < Math.min(count, first + 200); i++) {
      open(i);
      batch.push(new Promise((done) => sockets[i].once('connect', done).once('error', done)));
    }
    await Promise.all(batch);
  }
} else for (let i = 0; i < count; i++) open(i);
const trickle = setInterval(() => {
  for (let i = 0; i < sockets.length; i++) if (slowloris(i) && !sockets[i].destroyed) sockets[i].write('a');
}, 1000);
const stop = () => {
  stopping = true;
  clearInterval(trickle);
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
setTimeout(stop, seconds * 1000).unref();
process.on('SIGTERM', stop);
