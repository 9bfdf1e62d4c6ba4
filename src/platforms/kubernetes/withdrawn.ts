import { type KubeClient, resourcePath } from './api.js';
import { LABELS } from './names.js';
import type { Selector } from './plan.js';
import { type Pod, isReady, listPods } from './pods.js';
import { formatSelector, messageOf, sameSelector } from './state-report.js';

type Terminating = Pod & { metadata: { deletionTimestamp?: string } };

/**
 * What serves the address once a first release was withdrawn (src/rollout/blue-green.ts): the Service's selector
 * read fresh, and the ready pods it matches. Switching back puts the selector from before the deploy in place, and
 * that one (often `app=shop`) may select pods this deploy did not create, which then serve the users.
 */
export async function servingAfterWithdrawal(
  client: KubeClient,
  service: { name: string; namespace: string },
  before: Selector,
  greenId: string,
  address: string,
): Promise<string> {
  const name = `Service ${service.namespace}/${service.name}`;
  const where = address || name;
  let selector: Selector;
  try {
    selector = (await client.request<{ spec?: { selector?: Selector } }>('GET', resourcePath('v1', 'Service', service.namespace, service.name))).spec?.selector ?? {};
  } catch (error) {
    return `${name} could not be read (${messageOf(error)}); its selector should be ${formatSelector(before)} again, as before the deploy, and may select pods this deploy did not create: check what serves ${where}`;
  }
  const selects = `${name} selects ${formatSelector(selector)}${sameSelector(selector, before) ? ' again, as before the deploy' : ` (before the deploy: ${formatSelector(before)})`}`;
  if (Object.keys(selector).length === 0) return `${selects}: with no selector its endpoints are whatever was set by hand, and they serve ${where} now`;
  // Green's pods may still be terminating: they are leaving the endpoints and serve no one.
  let pods: Terminating[];
  try {
    pods = await listPods(client, service.namespace, selector);
  } catch (error) {
    return `${selects}; its pods could not be listed (${messageOf(error)}): pods this deploy did not create may serve ${where} now`;
  }
  const serving = pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp && p.metadata.labels?.[LABELS.release] !== greenId).map((p) => p.metadata.name);
  if (serving.length === 0) return `${selects}, which matches no ready pod: nothing serves ${where} now`;
  const names = serving.slice(0, 3).join(', ') + (serving.length > 3 ? `, and ${serving.length - 3} more` : '');
  return `${selects}, which matches ${serving.length} ready pod${serving.length === 1 ? '' : 's'} this deploy did not create (${names}): they serve ${where} now`;
}
