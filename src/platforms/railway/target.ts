import { ExitCode, UserError } from '../../errors.js';
import type { RailwaySettings } from './config.js';
import { type RailwayApi, RailwayApiError } from './api.js';

/** The Railway ids one of our environments deploys to, resolved from the config's ids or names. */
export interface RailwayTarget {
  projectId: string;
  projectName: string;
  environmentId: string;
  environmentName: string;
  serviceId: string;
  serviceName: string;
}

interface ProjectData {
  project: {
    id: string;
    name: string;
    environments: { edges: Array<{ node: { id: string; name: string } }> };
    services: { edges: Array<{ node: { id: string; name: string } }> };
  };
}

/** Finds project, environment and service; a missing one is a pre-check failure naming the config key. */
export async function resolveTarget(api: RailwayApi, settings: RailwaySettings, ourEnvironment: string): Promise<RailwayTarget> {
  const projectId = settings.project ?? '';
  let data: ProjectData;
  try {
    data = await api.query<ProjectData>('project', { id: projectId });
  } catch (error) {
    if (error instanceof RailwayApiError && error.kind === 'not-found') throw new UserError(`railway.project: project "${projectId}" not found (or the token cannot see it)`, ExitCode.precheckFailed);
    throw error;
  }
  const wantedEnv = settings.environment ?? ourEnvironment;
  const envs = data.project.environments.edges.map((e) => e.node);
  const env = envs.find((e) => e.id === wantedEnv) ?? envs.find((e) => e.name === wantedEnv);
  if (!env) {
    const known = envs.map((e) => e.name).join(', ') || '(none)';
    throw new UserError(`railway.environment: no Railway environment "${wantedEnv}" in project ${data.project.name}; it has: ${known}`, ExitCode.precheckFailed);
  }
  const wantedService = settings.service ?? '';
  const services = data.project.services.edges.map((e) => e.node);
  const service = services.find((s) => s.id === wantedService) ?? services.find((s) => s.name === wantedService);
  if (!service) {
    const known = services.map((s) => s.name).join(', ') || '(none)';
    throw new UserError(`railway.service: no service "${wantedService}" in project ${data.project.name}; it has: ${known}`, ExitCode.precheckFailed);
  }
  return { projectId: data.project.id, projectName: data.project.name, environmentId: env.id, environmentName: env.name, serviceId: service.id, serviceName: service.name };
}
