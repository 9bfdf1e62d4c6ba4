import { FETCH_DEFAULT_HEADERS, httpRequest } from './http-request.js';
import { describeRequestError } from './request-error.js';

const HEALTHY = /^(ok|up|connected|healthy|pass|passing|true|ready)$/i;

/**
 * Reads the app's own view of its database from its health JSON: a
 * `database` (or `db`, or `checks.database`) field that is true, "ok", "up",
 * "connected", or an object whose `status`/`ok` says so. Null means connected.
 */
export async function probeHealthReport(healthUrl: string, timeoutMs: number): Promise<string | null> {
  let status: number;
  let text: string;
  try {
    const response = await httpRequest(healthUrl, { timeoutMs, headers: { ...FETCH_DEFAULT_HEADERS, accept: 'application/json' } });
    status = response.status;
    text = response.body;
  } catch (error) {
    return `health check failed: ${describeRequestError(error, timeoutMs)}`;
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    return `health answered ${status} without JSON`;
  }
  const field = databaseField(report);
  if (field === undefined) return `health report (${status}) has no database field`;
  return healthy(field) ? null : `health reports database ${JSON.stringify(shorten(field))}`;
}

function databaseField(report: unknown): unknown {
  if (!isObject(report)) return undefined;
  if ('database' in report) return report.database;
  if ('db' in report) return report.db;
  if (isObject(report.checks) && 'database' in report.checks) return report.checks.database;
  return undefined;
}

function healthy(field: unknown): boolean {
  if (field === true) return true;
  if (typeof field === 'string') return HEALTHY.test(field.trim());
  if (isObject(field)) {
    if (field.ok === true || field.connected === true) return true;
    if ('status' in field) return healthy(field.status);
  }
  return false;
}

function shorten(field: unknown): unknown {
  if (typeof field === 'string' && field.length > 80) return `${field.slice(0, 77)}...`;
  if (isObject(field) && typeof field.status === 'string') return shorten(field.status);
  return field;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
