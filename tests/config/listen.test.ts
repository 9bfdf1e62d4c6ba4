import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { failure, project } from './helpers.js';

const config = (extra = '') => `app: shop
start: node server.js
${extra}
environments:
  staging: { port: 4001 }
  production: { port: 4000 }
  preview: { port: 4002, listen: "::" }
`;

describe('listen: the address the router binds', () => {
  it('is loopback for every environment but production, all interfaces for production', async () => {
    const dir = project(config());
    expect((await resolveEnvironment(dir, 'staging', { env: {} })).listen).toBe('127.0.0.1');
    expect((await resolveEnvironment(dir, 'production', { env: {} })).listen).toBe('0.0.0.0');
    expect((await resolveEnvironment(dir, 'preview', { env: {} })).listen).toBe('::');
  });

  it('a top-level listen applies to every environment unless one sets its own', async () => {
    const dir = project(config('listen: 0.0.0.0'));
    expect((await resolveEnvironment(dir, 'staging', { env: {} })).listen).toBe('0.0.0.0');
    expect((await resolveEnvironment(dir, 'preview', { env: {} })).listen).toBe('::');
  });

  it('refuses what is not an IP address, naming the field, exit 2', async () => {
    const f = await failure(resolveEnvironment(project(config('listen: 127.0.0.1:4001')), 'staging', { env: {} }));
    expect(f.exitCode).toBe(2);
    expect(f.lines.join('\n')).toContain('listen: expected an IP address like "127.0.0.1", "0.0.0.0" or "::"');
  });
});

describe('hosts: { host, listen }: the router address on one server', () => {
  const servers = `app: shop
start: node server.js
environments:
  production:
    port: 4000
    batch: 2
    hosts: [deploy@app1, { host: "deploy@app2:2222", listen: 10.0.0.6 }]
`;

  it('gives that server its own address, and the others the environment listen', async () => {
    const config = await resolveEnvironment(project(servers), 'production', { env: {} });
    expect(config.hosts).toEqual([
      { label: 'deploy@app1', host: 'app1', user: 'deploy', port: undefined, identityFile: undefined },
      { label: 'deploy@app2:2222', host: 'app2', user: 'deploy', port: 2222, identityFile: undefined, listen: '10.0.0.6' },
    ]);
    expect(config.listen).toBe('0.0.0.0');
    expect(config.batch).toBe(2);
  });

  it('on the server itself (a command the CLI sent there) the environment listens on that server\'s address', async () => {
    const dir = project(servers);
    expect((await resolveEnvironment(dir, 'production', { env: { SHIPGATE_ON_HOST: 'deploy@app2:2222' } })).listen).toBe('10.0.0.6');
    expect((await resolveEnvironment(dir, 'production', { env: { SHIPGATE_ON_HOST: 'deploy@app1' } })).listen).toBe('0.0.0.0');
  });

  it('batch defaults to one host at a time', async () => {
    expect((await resolveEnvironment(project(servers.replace('    batch: 2\n', '')), 'production', { env: {} })).batch).toBe(1);
  });

  it('refuses a bad address or batch naming the field, exit 2', async () => {
    const bad = await failure(resolveEnvironment(project(servers.replace('10.0.0.6', 'app2.internal')), 'production', { env: {} }));
    expect(bad.exitCode).toBe(2);
    expect(bad.lines.join('\n')).toContain('environments.production.hosts[1].listen: expected an IP address');
    const zero = await failure(resolveEnvironment(project(servers.replace('batch: 2', 'batch: 0')), 'production', { env: {} }));
    expect(zero.exitCode).toBe(2);
    expect(zero.lines.join('\n')).toContain('environments.production.batch');
  });
});
