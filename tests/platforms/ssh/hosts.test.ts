import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';

const unavailable = sshHostsUnavailable();

describe.skipIf(unavailable)('test hosts (real sshd on 127.0.0.2 and 127.0.0.3)', () => {
  let hosts: TestHosts;
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }, { alias: 'h3', address: '127.0.0.3' }]);
  });
  afterAll(async () => hosts?.stop());

  it('logs in with the key as each host user, with host key checking on', async () => {
    const [a, b] = await Promise.all(hosts.hosts.map((h) => h.exec('id -un; echo $HOME; node -v')));
    expect(a.stdout.split('\n')[0]).toBe(hosts.hosts[0].user);
    expect(b.stdout.split('\n')[0]).toBe(hosts.hosts[1].user);
    expect(a.stdout).toContain(hosts.hosts[0].home);
    expect(a.stdout).toMatch(/v\d+\./);
  });
});
