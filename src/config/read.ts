import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../errors.js';

/** A config bigger than this is a mistake (or an attack), not a config. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** Reads and parses the config file into plain data; syntax errors name the line. */
export async function readConfigFile(path: string): Promise<unknown> {
  const name = basename(path);
  const info = await stat(path);
  if (info.size > MAX_CONFIG_BYTES) throw new UserError(`${name}: too large (${info.size} bytes; the limit is ${MAX_CONFIG_BYTES})`);
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UserError(`${name}: invalid JSON: ${(error as Error).message}`);
    }
  }
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0]?.line;
    const reason = first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
    throw new UserError(`${name}${line ? `:${line}` : ''}: invalid YAML: ${reason}`);
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}
