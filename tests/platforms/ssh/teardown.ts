import { expect } from 'vitest';
import { runCli } from '../../cli/helpers.js';
import type { TestHosts } from '../../helpers/ssh-hosts.js';

/** `deploy stop` of each environment on its hosts, asserted (a failed stop hides bugs), then the test hosts. */
export async function stopDeploysThenHosts(project: string | undefined, hosts: TestHosts | undefined, environments: string[]): Promise<void> {
  if (project && hosts) {
    for (const environment of environments) {
      const stop = await runCli(['stop', environment, '--yes'], { cwd: project, env: hosts.env });
      expect(stop.code, stop.stderr).toBe(0);
    }
  }
  await hosts?.stop();
}
