// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`).
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const limit = Number(process.argv[3] ?? 30);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const frame = node.callFrame;
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}

// Self time grouped by where the code lives.
const groups = new Map();
for (const [key, us] of self) {
  const group = /router\/|http1\//.test(key) ? 'router (ours)' : /undici|dispatcher\/|core\/|handler\//.test(key) ? 'undici' : /node:_http|node:http|_http_/.test(key) ? 'node http' : /node:|internal\//.test(key) ? 'node other' : /^\((idle|program|garbage collector)\)/.test(key) ? key.split(' ')[0] : /:0$/.test(key) ? 'native (syscalls, builtins)' : 'other';
  groups.set(group, (groups.get(group) ?? 0) + us);
}
console.log('\nby area:');
for (const [group, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${group}`);
