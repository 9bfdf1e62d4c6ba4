/** Kubernetes names and labels of one release. Names are DNS labels (lowercase, digits, '-', at most 63). */

export const LABELS = { app: 'app', release: 'release', slot: 'slot' } as const;
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'shipgate' } as const;

/** The app name as a DNS label prefix (keeps room for "-<release id>-env"). */
export function appLabel(app: string): string {
  const clean = app.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (clean || 'app').slice(0, 30).replace(/-+$/, '');
}

/** Deployment of a release: `<app>-<release id>`. */
export function deploymentName(app: string, release: string): string {
  return `${appLabel(app)}-${release}`.slice(0, 63).replace(/-+$/, '');
}

/** The release's Secret with the environment's variables. */
export function secretName(app: string, release: string): string {
  return `${deploymentName(app, release).slice(0, 59)}-env`;
}

/** The Service the Rollout's preview (green) is reached through. */
export function previewServiceName(service: string): string {
  return `${service.slice(0, 55)}-preview`;
}

/** The Service the canary's weighted backendRef points at. */
export function canaryServiceName(service: string): string {
  return `${service.slice(0, 56)}-canary`;
}

export function rolloutName(app: string): string {
  return appLabel(app);
}
