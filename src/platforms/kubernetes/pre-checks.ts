import type { PreCheckResult } from '../../contracts/summary.js';
import { ExitCode } from '../../errors.js';
import type { DeployPlan } from '../../orchestrator/plan.js';
import type { DeployContext, PreCheck } from '../../orchestrator/types.js';

/**
 * The kubernetes platform's pre-checks, read-only so --dry-run runs them too: the kubeconfig and context load,
 * the API server answers, the namespace and Service exist, and a cheap GET (or list) of every kind we write
 * is allowed. One check, so a dead API server gives one line instead of five.
 */
export function platformPreChecks(_plan: DeployPlan): PreCheck[] {
  return [clusterCheck];
}

const clusterCheck: PreCheck = {
  name: 'Kubernetes',
  async run(ctx: DeployContext): Promise<PreCheckResult> {
    const { connectKube, KubeApiError, resourcePath } = await import('./api.js');
    const { previewServiceName } = await import('./names.js');
    const settings = ctx.config.kubernetes;
    if (!settings) return { name: 'Kubernetes', ok: false, detail: `environments.${ctx.config.environment}.kubernetes: required`, exitCode: ExitCode.usage };
    const client = await connectKube({ context: settings.context, timeoutMs: 5_000 });
    const ns = settings.namespace;
    const fail = (detail: string): PreCheckResult => ({ name: 'Kubernetes', ok: false, detail, exitCode: ExitCode.precheckFailed });
    const probe = async (what: string, path: string, forbiddenOk = false): Promise<string | null> => {
      try {
        await client.request('GET', path);
        return null;
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return `${what} not found`;
        // Namespaces are cluster-scoped: a namespaced Role cannot read them, and does not need to.
        if (forbiddenOk && error instanceof KubeApiError && error.status === 403) return null;
        if (error instanceof KubeApiError && (error.status === 401 || error.status === 403)) return `${what}: not allowed for the user of context ${client.context} (${error.status}); see the RBAC Role in docs/platforms/kubernetes.md`;
        return `${what}: ${(error as Error).message}`;
      }
    };
    const reach = await probe(`API server ${client.server}`, '/version');
    if (reach) return fail(reach);
    const needs: Array<[string, string, boolean?]> = [
      [`namespace ${ns}`, `/api/v1/namespaces/${encodeURIComponent(ns)}`, true],
      [`Service ${ns}/${settings.service}`, resourcePath('v1', 'Service', ns, settings.service)],
      ['listing Secrets', `${resourcePath('v1', 'Secret', ns)}?limit=1`],
      ['listing Pods', `${resourcePath('v1', 'Pod', ns)}?limit=1`],
    ];
    if (settings.argoRollouts) {
      needs.push([`Service ${ns}/${previewServiceName(settings.service)} (previewService)`, resourcePath('v1', 'Service', ns, previewServiceName(settings.service))]);
      needs.push(['listing Rollouts (is Argo Rollouts installed?)', `${resourcePath('argoproj.io/v1alpha1', 'Rollout', ns)}?limit=1`]);
    } else {
      needs.push(['listing Deployments', `${resourcePath('apps/v1', 'Deployment', ns)}?limit=1`]);
    }
    if (settings.gateway) needs.push([`HTTPRoute ${ns}/${settings.gateway.route}`, resourcePath('gateway.networking.k8s.io/v1', 'HTTPRoute', ns, settings.gateway.route)]);
    const problems = (await Promise.all(needs.map(([what, path, forbiddenOk]) => probe(what, path, forbiddenOk)))).filter((p): p is string => p !== null);
    if (problems.length > 0) return fail(problems.join('; '));
    return { name: 'Kubernetes', ok: true, detail: `${client.context} (${client.server}): namespace ${ns}, Service ${settings.service} found` };
  },
};
