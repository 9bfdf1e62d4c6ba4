import { UserError } from '../errors.js';

/** One server reached over SSH: `[user@]host[:port]`, as an environment's `hosts:` lists it. */
export interface SshTarget {
  /** What the user wrote, for messages and per-host summary lines. */
  label: string;
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
}

const HOST = /^[A-Za-z0-9._-]+$/;
const USER = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/** Parses `deploy@app1.example.com:2222`. `field` names the config path in errors. */
export function parseSshTarget(spec: string, field: string, identityFile?: string): SshTarget {
  const at = spec.lastIndexOf('@');
  const user = at === -1 ? undefined : spec.slice(0, at);
  let rest = at === -1 ? spec : spec.slice(at + 1);
  let port: number | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    const digits = rest.slice(colon + 1);
    port = Number(digits);
    if (!/^\d+$/.test(digits) || port < 1 || port > 65535) throw new UserError(`${field}: "${spec}" has an invalid port`);
    rest = rest.slice(0, colon);
  }
  if (user !== undefined && !USER.test(user)) throw new UserError(`${field}: "${spec}" has an invalid user name`);
  // A leading "-" would be read by ssh as an option.
  if (!HOST.test(rest) || rest.startsWith('-')) throw new UserError(`${field}: "${spec}" is not a host name or address`);
  return { label: spec, host: rest, user, port, identityFile };
}

/** For the config schema: whether `spec` parses, without the message. */
export function isSshTargetSpec(spec: string): boolean {
  try {
    parseSshTarget(spec, '');
    return true;
  } catch {
    return false;
  }
}
