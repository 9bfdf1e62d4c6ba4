import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { readRegularFile } from './regular-file.js';

/** A config bigger than this is a mistake (or an attack), not a config. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** YAML aliases expanded per document; a "billion laughs" file needs far more, a real config none or a few. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Reads and parses the config file into plain data; syntax errors name the line, never quote the file (it may be
 * anything a link or a typo pointed at). Only a regular file under the size cap is read (src/config/regular-file.ts).
 */
export async function readConfigFile(path: string): Promise<unknown> {
  const name = basename(path);
  const text = await readRegularFile(path, name, MAX_CONFIG_BYTES);
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new UserError(`${name}: invalid JSON${position === undefined ? '' : ` at line ${lineAt(text, Number(position))}`}`);
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
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (error) {
    if (error instanceof ReferenceError && /excessive alias count/i.test(error.message)) {
      throw new UserError(`${name}: invalid YAML: aliases expand too much (more than ${MAX_ALIAS_COUNT} per document)`);
    }
    // The message would quote the alias's name, which is the file's content.
    if (error instanceof ReferenceError && /unresolved alias/i.test(error.message)) throw new UserError(`${name}: invalid YAML: an alias (*name) refers to no anchor (&name) before it`);
    throw error;
  }
}

function lineAt(text: string, position: number): number {
  return text.slice(0, position).split('\n').length;
}
