import { ExitCode, UserError } from '../../errors.js';
import type { CliOptions } from '../options.js';

/**
 * `deploy attach <env>`: for an environment on servers, follow each host's newest run to its end (or show how it
 * ended), e.g. after the SSH connection dropped mid-deploy. Exit code: the run's own, 4 when a run ended without one.
 */
export async function attachCommand(options: CliOptions, environment = ''): Promise<number> {
  const [{ loadRecipes }, { resolveEnvironment }, { createExecutor }, { attachToHost }, { sshOptions }, { createRenderer }] = await Promise.all([
    import('../../bundle/load.js'),
    import('../../config/resolve.js'),
    import('../../exec/executor.js'),
    import('../../remote/attach.js'),
    import('../../remote/ssh-options.js'),
    import('../progress.js'),
  ]);
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config, recipes: await loadRecipes() });
  if (config.hosts.length === 0) throw new UserError(`${environment} has no hosts: attach follows runs on servers; see \`deploy status ${environment}\``, ExitCode.usage);
  const renderer = await createRenderer(options);
  const executor = createExecutor();
  const results = [];
  for (const target of config.hosts) {
    results.push(await attachToHost(target, sshOptions(), executor, config.app, environment, (event) => renderer.progress({ ...event, message: `${target.label}: ${event.message}` })));
  }
  renderer.stop();
  const worst = Math.max(0, ...results.map((r) => (r.summary ? r.summary.exitCode : r.runId ? ExitCode.needsHuman : 0)));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ environment, hosts: results }, null, 2)}\n`);
    return worst;
  }
  for (const result of results) {
    const how = !result.runId
      ? 'no run on record'
      : result.summary
        ? `${result.summary.status}${result.summary.release.id ? ` (${result.summary.release.id})` : ''}${result.summary.message ? ` — ${result.summary.message}` : ''}`
        : 'ended without a result: check `deploy status`';
    process.stdout.write(`${result.host}: run ${result.runId ?? '-'}: ${how}\n`);
  }
  return worst;
}
