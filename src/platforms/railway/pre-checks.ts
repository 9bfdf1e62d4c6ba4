import type { PreCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import type { DeployPlan } from '../../orchestrator/plan.js';
import type { DeployContext, PreCheck } from '../../orchestrator/types.js';
import { RailwayApiError } from './api.js';
import { liveDeployment } from './deployments.js';
import { railwaySession } from './session.js';
import { publicUrl } from './service-instance.js';

/**
 * The deployment Railway serves now. The rollback plan names it when this project has no deploy of the environment
 * on record, e.g. the service was deployed from Railway's dashboard before: the deploy's rollback goes back to it.
 */
export async function liveRelease(ctx: DeployContext): Promise<{ id: string } | null> {
  const session = railwaySession(ctx);
  const live = await liveDeployment(session.api, await session.target());
  return live ? { id: live.id } : null;
}

/** Railway's own pre-checks, added to the common ones by src/checks/index.ts. All of them only read. */
export function platformPreChecks(_plan: DeployPlan): PreCheck[] {
  return [tokenCheck, serviceCheck, healthcheckPathCheck];
}

const fail = (name: string, detail: string): PreCheckResult => ({ name, ok: false, detail, exitCode: ExitCode.precheckFailed });

/** A cheap query proves the token works: `projectToken` for a project token, `me` for an account token. */
async function tokenWorks(ctx: DeployContext): Promise<{ detail: string; environmentId: string | null }> {
  const session = railwaySession(ctx);
  if (session.token.kind === 'project') {
    const data = await session.api.query<{ projectToken: { projectId: string; environmentId: string } }>('projectToken');
    const project = session.settings.project;
    if (project && data.projectToken.projectId !== project) {
      throw new RailwayApiError(`${session.token.source} belongs to another project than railway.project`, 'auth');
    }
    return { detail: `${session.token.source} (project token) accepted`, environmentId: data.projectToken.environmentId };
  }
  await session.api.query<{ me: { id: string } }>('me');
  return { detail: `${session.token.source} (account token) accepted`, environmentId: null };
}

const tokenResults = new WeakMap<object, Promise<{ detail: string; environmentId: string | null }>>();
const checkedToken = (ctx: DeployContext) => {
  let result = tokenResults.get(ctx.plan);
  if (!result) tokenResults.set(ctx.plan, (result = tokenWorks(ctx)));
  return result;
};

export const tokenCheck: PreCheck = {
  name: 'Railway Token',
  async run(ctx) {
    try {
      return { name: this.name, ok: true, detail: (await checkedToken(ctx)).detail };
    } catch (error) {
      return fail(this.name, describe(error));
    }
  },
};

export const serviceCheck: PreCheck = {
  name: 'Railway Service',
  async run(ctx) {
    let scope: string | null;
    try {
      scope = (await checkedToken(ctx)).environmentId;
    } catch {
      return fail(this.name, 'not checked: the Railway token was refused');
    }
    const session = railwaySession(ctx);
    try {
      const target = await session.target();
      // A project token belongs to one Railway environment; it cannot deploy another one.
      if (scope && scope !== target.environmentId) return fail(this.name, `${session.token.source} is a project token for another Railway environment than ${target.environmentName}; use that environment's token`);
      const instance = await session.instance();
      if (!publicUrl(ctx.config.url, instance)) return fail(this.name, `${target.serviceName} has no public domain in ${target.environmentName} and no url is configured; add a domain or set url`);
      return { name: this.name, ok: true, detail: `${target.serviceName} in ${target.environmentName} (project ${target.projectName})` };
    } catch (error) {
      return fail(this.name, describe(error));
    }
  },
};

export const healthcheckPathCheck: PreCheck = {
  name: 'Healthcheck Path',
  async run(ctx) {
    const session = railwaySession(ctx);
    let instance;
    try {
      await checkedToken(ctx);
      instance = await session.instance();
    } catch {
      return fail(this.name, 'not checked: the Railway service could not be read');
    }
    if (instance.healthcheckPath) return { name: this.name, ok: true, detail: `${instance.healthcheckPath} (Railway swaps only after it answers 200)` };
    const path = ctx.config.health.path;
    if (session.settings.setHealthcheck) {
      return { name: this.name, ok: true, warning: true, detail: `not set on Railway; the deploy sets it to ${path} (health.path) through serviceInstanceUpdate` };
    }
    return fail(this.name, `not set on Railway, so it would swap to a deployment that never answered; set it in the service settings or allow railway.setHealthcheck`);
  },
};

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof RailwayApiError && error.kind === 'auth') {
    return `the Railway token was refused; check RAILWAY_TOKEN / RAILWAY_API_TOKEN (${text.split('\n')[0]})`;
  }
  return text.split('\n')[0] ?? 'failed';
}
