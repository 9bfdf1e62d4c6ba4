import type { PreCheckResult } from '../../contracts/summary.js';
import { ExitCode, isUserError } from '../../errors.js';
import type { DeployContext, PreCheck } from '../../orchestrator/types.js';
import { checkEngine } from './containers.js';

/** Pre-check for platform docker: an engine answers (locally or at DOCKER_HOST). Read-only, so it runs under --dry-run too. */
export const dockerEngineCheck: PreCheck = {
  name: 'Docker Engine',
  async run(ctx: DeployContext): Promise<PreCheckResult> {
    try {
      const version = await checkEngine({ executor: ctx.executor });
      const where = process.env.DOCKER_HOST ? ` at ${process.env.DOCKER_HOST}` : '';
      return { name: 'Docker Engine', ok: true, detail: `engine ${version}${where}` };
    } catch (error) {
      if (!isUserError(error)) throw error;
      return { name: 'Docker Engine', ok: false, detail: error.message, exitCode: ExitCode.precheckFailed };
    }
  },
};
