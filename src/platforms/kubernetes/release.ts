import { imageFor } from './config.js';
import type { KubernetesSettings } from './config.js';
import { ExitCode, UserError } from '../../errors.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { formatReleaseId } from '../local/release-id.js';
import type { ReleaseSpec } from './manifests.js';

/** `git rev-parse` of the ref being deployed: the image tag CI pushed. Null outside a git checkout. */
export async function resolveCommit(ctx: DeployContext): Promise<string | null> {
  const ref = ctx.plan.options.ref ?? 'HEAD';
  const result = await ctx.executor
    .run({ file: 'git', args: ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd: ctx.config.projectRoot, mutates: false, timeoutMs: 10_000 })
    .catch(() => null);
  const sha = result && result.exitCode === 0 ? result.stdout.trim() : '';
  if (!sha && ctx.plan.options.ref) throw new UserError(`--ref ${ctx.plan.options.ref}: not a commit in ${ctx.config.projectRoot}`, ExitCode.usage);
  return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}

/** The release to deploy: id, image and everything the manifests need. Pure given the commit and the time. */
export function releaseSpec(ctx: DeployContext, commit: string | null, now: Date): ReleaseSpec {
  const { config } = ctx;
  const settings = config.kubernetes as KubernetesSettings;
  if (!commit && settings.image.includes('${commit}')) {
    throw new UserError(`environments.${config.environment}.kubernetes.image: uses \${commit} but ${config.projectRoot} is not a git checkout with a commit`, ExitCode.usage);
  }
  const id = formatReleaseId(now, commit ?? now.getTime().toString(16).slice(-7));
  return {
    app: config.app,
    environment: config.environment,
    id,
    commit,
    image: imageFor(settings.image, { commit: commit ?? '', release: id }),
    healthPath: config.health.path,
    settings,
    env: { ...config.env.values },
  };
}
