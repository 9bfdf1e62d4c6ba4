import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * Reads a file the user pointed us at (the config, an env file) only if it is a regular file of at most `maxBytes`:
 * a symlink is not followed (O_NOFOLLOW), a FIFO or device never blocks (O_NONBLOCK, then fstat on what was opened),
 * and a file that grows while read is cut at the cap and refused. Errors name the file, never its content.
 * `followLink` is for env files, which are often links to a secrets folder: the target must still be a regular file.
 */
export async function readRegularFile(path: string, shown: string, maxBytes: number, options: { followLink?: boolean } = {}): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (options.followLink ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    throw new UserError(`${shown}: ${openFailure(error as NodeJS.ErrnoException)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UserError(`${shown}: not a regular file`);
    if (info.size > maxBytes) throw new UserError(`${shown}: too large (${info.size} bytes; the limit is ${maxBytes})`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new UserError(`${shown}: too large (more than ${maxBytes} bytes)`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

function openFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ELOOP':
      return 'is a symbolic link; point at the file itself';
    case 'ENOENT':
      return 'not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot be read (${error.code ?? 'error'})`;
  }
}
