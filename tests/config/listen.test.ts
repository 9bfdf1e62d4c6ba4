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
