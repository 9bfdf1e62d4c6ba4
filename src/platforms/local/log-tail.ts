import { open } from 'node:fs/promises';
import { stripAnsi } from '../../checks/test-output-parsers.js';

/** The last `lines` non-empty lines of a log file, without terminal colour codes (reads at most the last 64 KiB). Missing file: []. */
export async function readLogTail(file: string, lines = 20): Promise<string[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .map((line) => stripAnsi(line).trimEnd())
      .filter((line) => line.length > 0)
      .slice(-lines);
  } finally {
    await handle.close();
  }
}

