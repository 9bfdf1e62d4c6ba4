// One cold start of the detached router (ensureRouter until the control socket answers), or its stop.
// Used by startup.sh under hyperfine: `node start-stop.mjs start|stop STATE_DIR PORT`.
import { connectRouter } from '../../dist/src/router/client.js';
import { ensureRouter } from '../../dist/src/router/ensure.js';

const [action, stateDir, port] = process.argv.slice(2);
if (action === 'start') {
  const client = await ensureRouter({ stateDir, port: Number(port), host: '127.0.0.1' });
  await client.status();
  client.close();
} else {
  const client = await connectRouter(stateDir).catch(() => null);
  if (client) {
    const { pid } = await client.status();
    await client.shutdown(0);
    client.close();
    // Wait until the old daemon is gone so the next start is a cold one.
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
