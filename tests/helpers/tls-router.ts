import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouter, type Router } from '../../src/router/router.js';

/** A router sending everything to one upstream, on plain HTTP and on HTTPS with a fresh self-signed `localhost` certificate. */
export async function routerWithSelfSignedTls(upstreamUrl: string): Promise<{ router: Router; close(): Promise<void> }> {
  const router = await createRouter({ port: 0, host: '127.0.0.1' });
  await router.setActive({ id: 'up', url: upstreamUrl });
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-tls-router-'));
  const cert = join(dir, 'localhost.crt');
  const key = join(dir, 'localhost.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, tls: { port: 0, certificates: [{ hosts: ['localhost'], cert, key }], redirect: false, hstsSeconds: 0 } });
  return {
    router,
    close: async () => {
      await router.close(100);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
