import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../../src/exec/executor.js';
import { runInChild } from '../../../src/orchestrator/parent.js';
import { ensureShipgate, type HostInstall } from '../../../src/remote/host-install.js';
import { hostAppDir, hostRunDir, planForHost } from '../../../src/remote/host-plan.js';
import { spawnRemoteOrchestrator } from '../../../src/remote/remote-orchestrator.js';
import { sshOptions } from '../../../src/remote/ssh-options.js';
import { parseSshTarget } from '../../../src/remote/ssh-target.js';
import { makePlan } from '../../orchestrator/helpers.js';
import { sshHostsUnavailable, startTestHosts, type TestHosts } from '../../helpers/ssh-hosts.js';

const unavailable = sshHostsUnavailable();

describe.skipIf(unavailable)('the orchestrator on a host, over ssh (real sshd)', { timeout: 180_000 }, () => {
  let hosts: TestHosts;
  let install: HostInstall;
  const target = parseSshTarget('h2', 'environments.staging.hosts[0]');
  beforeAll(async () => {
    hosts = await startTestHosts([{ alias: 'h2', address: '127.0.0.2' }]);
    install = await ensureShipgate(target, sshOptions(hosts.env), createExecutor());
  }, 180_000);
  afterAll(async () => hosts?.stop());

  it('runs a plan there and relays its progress and result, as the local child does', async () => {
    const ssh = sshOptions(hosts.env);
    const appDir = hostAppDir(install.home, 'shop');
    const plan = planForHost(await makePlan({ kind: 'stop', options: { verbose: true } }), target, appDir, null, []);
    const runDir = hostRunDir(plan.config.projectRoot, 'staging', 'run-1');
    const events: string[] = [];
    const summary = await runInChild(plan, { onProgress: (e) => events.push(e.phase), onNotice: (line) => events.push(line) }, {
      started: { child: Promise.resolve(spawnRemoteOrchestrator(target, ssh, install.installDir, runDir)), cancel: () => undefined },
      remote: { host: target.label, followUp: 'deploy attach staging' },
    });
    expect(summary.environment).toBe('staging');
    expect(summary.message).toBe('nothing runs for staging');
    expect(summary.exitCode).toBe(0);
    expect(events).toContain('stop');
    // The start message held the plan (and its secrets): the host keeps no copy of it.
    const left = await hosts.hosts[0].exec(`ls ${runDir}`);
    expect(left.stdout.split('\n')).not.toContain('start.json');
    expect(left.stdout.split('\n')).toEqual(expect.arrayContaining(['messages.jsonl', 'pid']));
  });
});
