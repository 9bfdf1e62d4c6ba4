import { Chalk, type ChalkInstance } from 'chalk';

/** Colour only on a TTY and never with NO_COLOR (https://no-color.org), whatever chalk detects. */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const off = ('NO_COLOR' in env && env.NO_COLOR !== '') || !stream.isTTY || env.TERM === 'dumb';
  return new Chalk({ level: off ? 0 : 1 });
}
