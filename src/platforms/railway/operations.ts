/**
 * Every GraphQL operation the Railway driver sends, as data. tests/platforms/railway/schema.test.ts validates
 * each one against Railway's published schema, and the fake API answers them by operation name.
 */
export const OPERATIONS = {
  /** Cheap check that an account/workspace token works. */
  me: `query ShipgateMe { me { id } }`,
  /** Cheap check that a project token works; also tells which project and environment it is scoped to. */
  projectToken: `query ShipgateProjectToken { projectToken { projectId environmentId } }`,
  project: `query ShipgateProject($id: String!) {
  project(id: $id) {
    id
    name
    environments { edges { node { id name } } }
    services { edges { node { id name } } }
  }
}`,
  serviceInstance: `query ShipgateServiceInstance($environmentId: String!, $serviceId: String!) {
  serviceInstance(environmentId: $environmentId, serviceId: $serviceId) {
    id
    serviceName
    healthcheckPath
    healthcheckTimeout
    overlapSeconds
    drainingSeconds
    source { image }
    domains { serviceDomains { domain } customDomains { domain } }
  }
}`,
  serviceInstanceUpdate: `mutation ShipgateServiceInstanceUpdate($environmentId: String!, $serviceId: String!, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(environmentId: $environmentId, serviceId: $serviceId, input: $input)
}`,
  deployV2: `mutation ShipgateDeploy($environmentId: String!, $serviceId: String!, $commitSha: String) {
  serviceInstanceDeployV2(environmentId: $environmentId, serviceId: $serviceId, commitSha: $commitSha)
}`,
  deployment: `query ShipgateDeployment($id: String!) {
  deployment(id: $id) { id status canRollback createdAt staticUrl }
}`,
  deployments: `query ShipgateDeployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges { node { id status canRollback createdAt staticUrl meta creator { name } } }
  }
}`,
  buildLogs: `query ShipgateBuildLogs($deploymentId: String!, $limit: Int) {
  buildLogs(deploymentId: $deploymentId, limit: $limit) { message timestamp severity }
}`,
  deploymentLogs: `query ShipgateDeploymentLogs($deploymentId: String!, $limit: Int) {
  deploymentLogs(deploymentId: $deploymentId, limit: $limit) { message timestamp severity }
}`,
  rollback: `mutation ShipgateRollback($id: String!) { deploymentRollback(id: $id) }`,
  httpMetrics: `query ShipgateHttpMetrics($serviceId: String!, $environmentId: String!, $startDate: DateTime!, $endDate: DateTime!, $stepSeconds: Int) {
  httpMetricsGroupedByStatus(serviceId: $serviceId, environmentId: $environmentId, startDate: $startDate, endDate: $endDate, stepSeconds: $stepSeconds) {
    statusCode
    samples { ts value }
  }
}`,
} as const;

export type OperationName = keyof typeof OPERATIONS;

/** Railway's deployment states; the final ones end a poll. */
export type DeploymentStatus =
  | 'BUILDING'
  | 'CRASHED'
  | 'DEPLOYING'
  | 'FAILED'
  | 'INITIALIZING'
  | 'NEEDS_APPROVAL'
  | 'QUEUED'
  | 'REMOVED'
  | 'REMOVING'
  | 'SKIPPED'
  | 'SLEEPING'
  | 'SUCCESS'
  | 'WAITING';

export const FAILED_STATES: ReadonlySet<string> = new Set(['FAILED', 'CRASHED', 'REMOVED', 'SKIPPED']);

export function isFinal(status: string): boolean {
  return status === 'SUCCESS' || FAILED_STATES.has(status);
}

export interface DeploymentNode {
  id: string;
  status: DeploymentStatus;
  canRollback: boolean;
  createdAt: string;
  staticUrl: string | null;
  meta?: unknown;
  creator?: { name: string | null } | null;
}

export interface LogLine {
  message: string;
  timestamp: string;
  severity: string | null;
}
