import { ExitCode, UserError } from '../../errors.js';

/** How a Railway token authenticates: a project token and an account/workspace token use different headers. */
export interface RailwayToken {
  kind: 'project' | 'account';
  /** The environment variable it came from, for messages (never the value). */
  source: 'RAILWAY_TOKEN' | 'RAILWAY_API_TOKEN';
  value: string;
}

/** RAILWAY_TOKEN (project token) wins over RAILWAY_API_TOKEN (account or workspace token), as in Railway's own CLI. */
export function readToken(env: NodeJS.ProcessEnv = process.env): RailwayToken | null {
  const project = env.RAILWAY_TOKEN?.trim();
  if (project) return { kind: 'project', source: 'RAILWAY_TOKEN', value: project };
  const account = env.RAILWAY_API_TOKEN?.trim();
  if (account) return { kind: 'account', source: 'RAILWAY_API_TOKEN', value: account };
  return null;
}

export function requireToken(env: NodeJS.ProcessEnv = process.env): RailwayToken {
  const token = readToken(env);
  if (!token) throw new UserError('no Railway token: set RAILWAY_TOKEN (project token) or RAILWAY_API_TOKEN (account token)', ExitCode.precheckFailed);
  return token;
}

export function authHeaders(token: RailwayToken): Record<string, string> {
  return token.kind === 'project' ? { 'project-access-token': token.value } : { authorization: `Bearer ${token.value}` };
}
