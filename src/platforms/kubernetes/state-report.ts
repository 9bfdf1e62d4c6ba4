import { type KubeClient, resourcePath } from './api.js';
import { LABELS } from './names.js';
import type { DeploymentPlan, Selector } from './plan.js';
import { type DeploymentStatusView, deploymentReady } from './wait-ready.js';

export function formatSelector(selector: Selector): string {
  return Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',') || '(empty)';
}

/**
 * Where things point, read fresh from the API server after something went wrong: the Service's selector (and
 * which release that is), and green's and blue's ready replicas. What cannot be read is said so, with what we
 * last knew, so the user never has to guess.
 */
export async function stateReport(client: KubeClient, plan: DeploymentPlan, lastKnown: string): Promise<string> {
  const ns = plan.service.namespace;
  const lines: string[] = [];
  try {
    const svc = await client.request<{ spec?: { selector?: Selector } }>('GET', resourcePath('v1', 'Service', ns, plan.service.name));
    const selector = svc.spec?.selector ?? {};
    const release = selector[LABELS.release];
    const who = release === plan.release.id ? `green ${release}` : plan.blue && release === plan.blue.release ? `blue ${release}` : sameSelector(selector, plan.from) ? 'the pods it selected before the deploy' : plan.hold && sameSelector(selector, plan.hold.selector) ? 'the pods it selected before the deploy, held off green' : 'neither green nor blue';
    lines.push(`Service ${ns}/${plan.service.name} selects ${formatSelector(selector)} (traffic on ${who})`);
  } catch (error) {
    lines.push(`Service ${ns}/${plan.service.name}: could not be read (${messageOf(error)}); ${lastKnown}`);
  }
  const deployments = [{ role: 'green', name: (plan.deployment.metadata.name) }, ...(plan.blue ? [{ role: 'blue', name: plan.blue.name }] : [])];
  for (const d of deployments) {
    try {
      const view = await client.request<DeploymentStatusView>('GET', resourcePath('apps/v1', 'Deployment', ns, d.name));
      lines.push(`Deployment ${ns}/${d.name} (${d.role}): ${deploymentReady(view).detail}`);
    } catch (error) {
      lines.push(`Deployment ${ns}/${d.name} (${d.role}): could not be read (${messageOf(error)})`);
    }
  }
  return lines.join('; ');
}

export function sameSelector(a: Selector, b: Selector): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
