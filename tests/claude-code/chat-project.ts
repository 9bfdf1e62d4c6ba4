import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { createExampleProject, type ExampleProject } from '../platforms/local/helpers/example-project.js';

export interface ChatProject extends ExampleProject {
  productionUrl: string;
  git(...args: string[]): string;
}

/**
 * A git copy of examples/webapp with staging and a gated production, and the Claude Code files written by
 * `deploy init --claude` committed, as a team would. The example's node_modules (linked) pins shipgate as a user's
 * project does: node_modules/shipgate (this checkout, `file:../..`) and node_modules/.bin/deploy.
 */
export async function createChatProject(): Promise<ChatProject> {
  const project = await createExampleProject();
  const dir = project.dir;
  const productionPort = await freePort();
  appendFileSync(join(dir, 'deploy.config.yaml'), `  production: { port: ${productionPort}, requires: staging, maxAge: 7d, tests: "npm test" }\n`);
  writeFileSync(join(dir, '.env.production'), 'DATABASE_URL=sqlite:data/production.db\n');

  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=chat@example.com', '-c', 'user.name=chat', ...args], { cwd: dir, encoding: 'utf8' });
  const init = await project.cli('init', '--claude');
  if (init.exitCode !== 0) throw new Error(`deploy init --claude failed: ${init.stderr}`);
  git('add', '-A');
  git('commit', '-qm', 'production environment; Claude Code commands from deploy init --claude');
  return { ...project, productionUrl: `http://127.0.0.1:${productionPort}`, git };
}
