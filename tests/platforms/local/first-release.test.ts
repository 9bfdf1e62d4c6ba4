import { afterAll, describe, expect, it } from 'vitest';
import { createExampleProject, type ExampleProject } from './helpers/example-project.js';

/**
 * A first release of the example app that passes its direct smoke test and then fails verification once it has
 * traffic, with the real CLI. There is no blue to return to: green is stopped, and the message says what serves the
 * URL now (on the local platform: nothing; the router stays up with no release behind it).
 */
describe('local platform: a first release that fails verification', { timeout: 300_000 }, () => {
  let project: ExampleProject | undefined;
  afterAll(async () => {
    await project?.destroy();
  });

  it('stops green and says nothing serves the URL, which is true', async () => {
    project = await createExampleProject({ windowMs: 2_000, minRequests: 20 });
    // The database goes away after 3 requests: past the direct smoke test (2), so only once green has traffic.
    project.commitKnobs({ dbFailAfterRequests: 3 });
    const run = await project.deploy();
    expect(run.exitCode, run.summary.message ?? run.stderr).toBe(1);
    expect(run.summary).toMatchObject({ status: 'failed', rollback: { performed: false } });
    const green = run.summary.release.id;
    expect(run.summary.message).toMatch(new RegExp(`; there was no previous release to return to, so ${green} \\(http://127\\.0\\.0\\.1:\\d+\\) was stopped and nothing serves ${run.summary.url} now$`));
    expect(project.state().active).toMatchObject({ release: green, running: false });
    // It is so: the router still answers, with no release behind it.
    expect((await fetch(project.url)).status).toBe(502);
  });
});
