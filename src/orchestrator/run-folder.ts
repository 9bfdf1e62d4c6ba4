import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The files of a run on a server (src/remote/agent.ts starts it, src/orchestrator/channel.ts is its side). */
export const RUN_FILES = { start: 'start.json', messages: 'messages.jsonl', control: 'control.jsonl', output: 'output.log', pid: 'pid' } as const;

/** The bytes a file has gained past `offset`; empty when it has none or does not exist yet. */
export function readFrom(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** Splits what was read into complete lines and the unfinished rest. */
export function completeLines(text: string): { lines: string[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end === -1) return { lines: [], rest: text };
  return { lines: text.slice(0, end).split('\n').filter((line) => line.trim()), rest: text.slice(end + 1) };
}
