import { Redactor } from '../exec/redact.js';

/**
 * Connects with pg and runs `SELECT 1` under one overall timeout. Returns
 * null when connected, or a reason that never contains the URL or password.
 */
export async function probePostgres(url: string, timeoutMs: number): Promise<string | null> {
  const redactor = credentialRedactor(url);
  const { default: pg } = await import('pg');
  let client: InstanceType<typeof pg.Client> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    // A dropped connection emits 'error' on the client; without a listener it would crash the process.
    client.on('error', () => undefined);
    const connected = client;
    await Promise.race([
      (async () => {
        await connected.connect();
        await connected.query('SELECT 1');
      })(),
      timeout,
    ]);
    return null;
  } catch (error) {
    return redactor.redact(describePgError(error));
  } finally {
    clearTimeout(timer);
    void client?.end().catch(() => undefined);
  }
}

function describePgError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (error instanceof AggregateError && error.errors.length > 0) return describePgError(error.errors[0]);
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND') return 'host not found (ENOTFOUND)';
  if (code === '28P01') return 'password authentication failed';
  if (code === '3D000') return 'database does not exist';
  return error.message || String(code ?? 'unknown error');
}

/** Knows the URL, its password (raw and decoded) and its user info, so none of them reaches a report. */
export function credentialRedactor(url: string): Redactor {
  const redactor = new Redactor();
  redactor.add(url);
  try {
    const parsed = new URL(url);
    redactor.add(parsed.password, safeDecode(parsed.password));
    if (parsed.password) redactor.add(`${parsed.username}:${parsed.password}`);
  } catch {
    // Not parseable: pg will say so; the whole string is already redacted.
  }
  return redactor;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
