import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../../cli/helpers.js';
import { followCli } from '../../helpers/follow-cli.js';
import { freePort } from '../../helpers/free-port.js';

const SECRET = 'tok-4b1f9e2d7c';

// Logs its token (a secret from the env file) at start and every request it serves.
const APP = `import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
const version = existsSync('VERSION') ? readFileSync('VERSION', 'utf8').trim() : 'one';
console.log('starting ' + version + ' with token=' + process.env.APP_TOKEN);
createServer((req, res) => {
  console.log(req.method + ' ' + req.url + ' token=' + process.env.APP_TOKEN);
  res.setHeader('x-release', process.env.RELEASE_ID ?? 'none');
  res.end(version);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function commit(dir: string, message: string): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message], { cwd: dir });
}

describe('deploy logs <env> on the local platform (real runtime, real app)', { timeout: 180_000 }, () => {
  let project: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    project = makeProject(
      [
        'app: logs',
        'start: node server.mjs',
        'tests: false',
        'migrations: none',
        'verify: { smoke: ["GET /health"], window: 1s, minRequests: 0 }',
        'env: { files: [.env.staging] }',
        'environments:',
        `  staging: { port: ${port}, keepWarm: 0s, guard: 0s }`,
        `  production: { port: ${port + 1} }`,
        '',
      ].join('\n'),
      { 'server.mjs': APP, '.env.staging': `APP_TOKEN=${SECRET}\n`, '.gitignore': '.env.staging\n' },
    );
    const deployed = await runCli(['staging'], { cwd: project });
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/hello`)).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    if (!project) return;
    const stop = await runCli(['stop', 'staging', '--yes'], { cwd: project });
    expect(stop.code, stop.stderr).toBe(0);
  }, 60_000);

  it("prints the active release's output with the secrets hidden; --lines limits it", async () => {
    const all = await runCli(['logs', 'staging'], { cwd: project });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('starting one with token=***');
    expect(all.stdout).toContain('GET /hello token=***');
    expect(all.stdout).not.toContain(SECRET);

    const last = await runCli(['logs', 'staging', '--lines', '1'], { cwd: project });
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout.trim().split('\n')).toHaveLength(1);

    const never = await runCli(['logs', 'production'], { cwd: project });
    expect(never.code).toBe(0);
    expect(never.stderr).toContain('production has not been deployed here: no app log yet');
    const bad = await runCli(['logs', 'staging', '--lines', 'many'], { cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--lines: expected a whole number');
  });

  it('--follow streams new lines, follows the next deploy to its release, and ends with exit 0 on Ctrl-C', async () => {
    const follower = followCli(['logs', 'staging', '--follow', '--lines', '0'], { cwd: project });
    let code: number | null;
    try {
      await follower.requestUntil(`http://127.0.0.1:${port}/followed`, 'GET /followed token=***', 30_000);
      writeFileSync(join(project, 'VERSION'), 'two\n');
      commit(project, 'two');
      const second = await runCli(['staging', '--json'], { cwd: project });
      expect(second.code, second.stderr + second.stdout).toBe(0);
      const release = JSON.parse(second.stdout).release.id as string;
      await follower.waitForOutput((out) => out.includes(`── ${release} is now active ──`) && out.includes('starting two with token=***'), 30_000);
    } finally {
      code = await follower.interrupt();
    }
    expect(code).toBe(0);
    expect(follower.output()).not.toContain(SECRET);
  });
});
