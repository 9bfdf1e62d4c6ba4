import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRET_FILE = 'router-secret';

/**
 * Signs the router's cohort cookies (canary side, feature flags) with HMAC-SHA256, so a client cannot pick its own
 * cohort: a cookie whose signature does not match is treated as absent, and the client gets a new signed key.
 * Value format: `<key>.<first 16 bytes of the HMAC, base64url>`.
 */
export class CookieSigner {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  sign(key: string): string {
    return `${key}.${this.mac(key)}`;
  }

  /** The key of a validly signed value, else undefined. */
  verify(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const key = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'latin1');
    const expected = Buffer.from(this.mac(key), 'latin1');
    return given.length === expected.length && timingSafeEqual(given, expected) ? key : undefined;
  }

  private mac(key: string): string {
    return createHmac('sha256', this.secret).update(key).digest().subarray(0, 16).toString('base64url');
  }
}

/** The environment's signing secret: `<stateDir>/router-secret` (0600), created on first use. */
export async function loadSigner(stateDir: string): Promise<CookieSigner> {
  const path = join(stateDir, SECRET_FILE);
  const existing = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing !== null && existing.length === 32) return new CookieSigner(existing);
  const secret = randomBytes(32);
  // `wx`: two routers starting at once cannot both write one; the loser reads the winner's.
  const created = await writeFile(path, secret, { mode: 0o600, flag: existing === null ? 'wx' : 'w' }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
  return created ? new CookieSigner(secret) : new CookieSigner(await readFile(path));
}
