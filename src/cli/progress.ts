import type { ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { PhaseState, ProgressEvent } from '../orchestrator/messages.js';
import { colorFor } from '../summary/color.js';

export interface ProgressRenderer {
  progress(event: ProgressEvent): void;
  /** A one-line message from the CLI itself; always shown, on stderr. */
  notice(line: string): void;
  stop(): void;
}

const MARK: Record<PhaseState, string> = { start: '…', ok: '✓', fail: '✗', warn: '!', skip: '-', info: ' ' };

/**
 * Progress goes to stderr, so stdout carries only the summary (or the JSON). On an interactive
 * terminal each phase gets an ora spinner; otherwise (pipes, CI, --json) plain lines.
 */
export async function createRenderer(options: { json?: boolean; verbose?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<ProgressRenderer> {
  const stream = process.stderr;
  const color = colorFor(stream, env);
  const interactive = Boolean(stream.isTTY) && !options.json && env.TERM !== 'dumb' && !env.CI;
  if (!interactive) return plainRenderer(stream, color, options.verbose ?? false);
  const { default: ora } = await import('ora');
  return spinnerRenderer(ora, stream, color, options.verbose ?? false);
}

function plainRenderer(stream: NodeJS.WriteStream, c: ChalkInstance, verbose: boolean): ProgressRenderer {
  return {
    progress(event) {
      if (event.phase === 'debug' && !verbose) return;
      stream.write(`${c.dim(event.phase)} ${paint(c, event.state)(MARK[event.state])} ${event.message}\n`);
    },
    notice(line) {
      stream.write(`deploy: ${line}\n`);
    },
    stop() {},
  };
}

function spinnerRenderer(ora: typeof import('ora').default, stream: NodeJS.WriteStream, c: ChalkInstance, verbose: boolean): ProgressRenderer {
  let spinner: Ora | null = null;
  let phase = '';
  const persist = (symbol: string, text: string) => {
    if (spinner?.isSpinning) {
      const current = spinner.text;
      spinner.stopAndPersist({ symbol, text });
      spinner.start(current);
    } else {
      stream.write(`${symbol} ${text}\n`);
    }
  };
  return {
    progress(event) {
      if (event.phase === 'debug') {
        if (verbose) persist(c.dim('·'), c.dim(event.message));
        return;
      }
      const symbol = paint(c, event.state)(MARK[event.state]);
      if (event.state === 'start') {
        if (spinner?.isSpinning) spinner.stop();
        phase = event.phase;
        spinner = ora({ text: event.message, stream, color: 'cyan' }).start();
      } else if (event.check || event.state === 'info' || event.phase !== phase) {
        persist(symbol, event.message);
      } else if (spinner) {
        if (event.state === 'ok') spinner.succeed(event.message);
        else if (event.state === 'fail') spinner.fail(event.message);
        else if (event.state === 'warn') spinner.warn(event.message);
        else spinner.stopAndPersist({ symbol, text: event.message });
        spinner = null;
      }
    },
    notice(line) {
      persist(c.yellow('!'), line);
    },
    stop() {
      if (spinner?.isSpinning) spinner.stop();
      spinner = null;
    },
  };
}

function paint(c: ChalkInstance, state: PhaseState): (text: string) => string {
  return state === 'ok' ? c.green : state === 'fail' ? c.red : state === 'warn' ? c.yellow : c.dim;
}
