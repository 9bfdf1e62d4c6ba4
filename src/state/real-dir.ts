import { lstatSync } from 'node:fs';
import { UserError } from '../errors.js';

/**
 * `.deploy` and an environment's folder in it must be real directories owned by the user running deploy: a symlink
 * would send state, history and releases somewhere nobody looks, and another user's folder could be swapped under us.
 * A missing folder is fine (it is created as a real one). `shown` is the path as the error names it.
 */
export function assertRealDirectory(path: string, shown: string): void {
  let info;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserError(`${shown}: cannot be inspected (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (info.isSymbolicLink()) throw new UserError(`${shown} is a symbolic link; it must be a real directory (remove the link, deploy creates the folder)`);
  if (!info.isDirectory()) throw new UserError(`${shown} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new UserError(`${shown} is owned by another user (uid ${info.uid}); it must belong to the user running deploy`);
}
