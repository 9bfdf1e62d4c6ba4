import { UserError } from '../errors.js';

/** One server reached over SSH: `[user@]host[:port]`, as an environment's `hosts:` lists it. */
export interface SshTarget {
  /** What the user wrote, for messages and per-host summary lines. */
  label: string;
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** The router's listen address on this server, when its `hosts:` entry says (`{ host, listen }`). */
  listen?: string;
}

/** Set on a command the CLI runs on a server: the label of that server's `hosts:` entry. */
export const ON_HOST_VAR = 'SHIPGATE_ON_HOST';

/** A `hosts:` entry as written: the server alone, or with the address the router binds there. */
export type HostEntry = string | { host: string; listen?: string };

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

/** One `hosts:` entry, either form. */
export function parseHostEntry(entry: HostEntry, field: string, identityFile?: string): SshTarget {
  if (typeof entry === 'string') return parseSshTarget(entry, field, identityFile);
  const target = parseSshTarget(entry.host, `${field}.host`, identityFile);
  return entry.listen ? { ...target, listen: entry.listen } : target;
}

/**
 * The router's address on the server a command runs on (`SHIPGATE_ON_HOST=<label>`, set by the CLI that sent it),
 * when that server's entry names one; else null.
 */
export function listenOnHost(entries: readonly HostEntry[], label: string | undefined): string | null {
  if (!label) return null;
  const entry = entries.find((e) => (typeof e === 'string' ? e : e.host) === label);
  return entry && typeof entry === 'object' && entry.listen ? entry.listen : null;
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
