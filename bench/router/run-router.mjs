// Runs the built router in-process on PORT, proxying to UPSTREAM (an origin URL). Used by the benchmark scripts.
import { createRouter } from '../../dist/src/router/router.js';

const router = await createRouter({
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  initialTable: { version: 1, active: { id: 'bench', url: process.env.UPSTREAM }, canary: null, updatedAt: new Date().toISOString() },
});
process.stdout.write(`listening ${router.port}\n`);
process.on('SIGTERM', () => router.close(1000).then(() => process.exit(0)));
