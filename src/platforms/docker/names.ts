/** Labels put on every image and container we create, so we only ever touch our own. */
export const LABELS = {
  app: 'shipgate.app',
  environment: 'shipgate.env',
  release: 'shipgate.release',
  version: 'shipgate.version',
  commit: 'shipgate.commit',
  contentHash: 'shipgate.content-hash',
  /** The port the app listens on inside the container. */
  port: 'shipgate.port',
  /** On the router container of an environment whose engine is remote: the environment's name. */
  router: 'shipgate.router',
  routerImage: 'shipgate.router-image',
} as const;

/** The router container of an environment on a remote engine, and the volume that keeps its state. */
export function routerContainerName(app: string, environment: string): string {
  return containerName('shipgate-router', app, environment);
}

/** Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]* in container names. */
export function containerName(app: string, environment: string, release: string): string {
  return `${app}-${environment}-${release}`.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '');
}

/** Image repositories must be lowercase; tags are [\w][\w.-]{0,127}. */
export function imageRepository(app: string): string {
  const repo = app.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '');
  return repo === '' ? 'app' : repo;
}

export function imageTag(release: string): string {
  return release.replace(/[^\w.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128) || 'latest';
}

export function imageRef(app: string, release: string): string {
  return `${imageRepository(app)}:${imageTag(release)}`;
}
