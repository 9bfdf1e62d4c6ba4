import type { Command } from './command.js';
import { describeCommand } from './command.js';
import { Redactor } from './redact.js';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Interleaved stdout and stderr, redacted. */
  all: string;
  durationMs: number;
  timedOut: boolean;
  skipped: boolean;
  /** For a command with `pipeTo`: the result of the command that fed it (this result is the destination's). */
  from?: ExecResult;
}

/** What the executor reads from an execa result. */
interface RawResult {
  exitCode?: number;
  stdout?: unknown;
  stderr?: unknown;
  all?: unknown;
  timedOut?: boolean;
}

export interface ExecRecord {
  command: string;
  exitCode: number;
  durationMs: number;
  skipped: boolean;
}

export interface Executor {
  run(command: Command): Promise<ExecResult>;
  readonly records: readonly ExecRecord[];
  readonly redactor: Redactor;
}

export interface ExecutorOptions {
  dryRun?: boolean;
  redactor?: Redactor;
  onLog?: (line: string) => void;
}

/** The one place that starts child commands. It applies --dry-run, timeouts and redaction, and records what ran. */
export function createExecutor(options: ExecutorOptions = {}): Executor {
  const redactor = options.redactor ?? new Redactor();
  const records: ExecRecord[] = [];

  async function run(command: Command): Promise<ExecResult> {
    const shown = redactor.redact(describeCommand(command));
    if (options.dryRun && (command.mutates || command.pipeTo?.mutates)) {
      options.onLog?.(`dry-run: would run ${shown}`);
      records.push({ command: shown, exitCode: 0, durationMs: 0, skipped: true });
      return { exitCode: 0, stdout: '', stderr: '', all: '', durationMs: 0, timedOut: false, skipped: true };
    }
    const { execa } = await import('execa');
    const started = performance.now();
    const durationMs = () => Math.round(performance.now() - started);
    if (command.pipeTo) {
      // The source's stdout is streamed, never collected: an archive may be larger than any buffer.
      const source = execa(command.file, command.args, { ...execaOptions(command), buffer: { stdout: false }, all: false });
      const piped = await source.pipe(execa(command.pipeTo.file, command.pipeTo.args, { ...execaOptions(command.pipeTo), stdin: 'pipe' }));
      const from = resultOf(piped.pipedFrom[0] ?? piped, durationMs());
      const result = { ...resultOf(piped, durationMs()), from };
      records.push({ command: shown, exitCode: from.exitCode || result.exitCode, durationMs: result.durationMs, skipped: false });
      return result;
    }
    const result = resultOf(await execa(command.file, command.args, execaOptions(command)), durationMs());
    records.push({ command: shown, exitCode: result.exitCode, durationMs: result.durationMs, skipped: false });
    return result;
  }

  function execaOptions(command: Command) {
    return {
      cwd: command.cwd,
      env: command.env,
      extendEnv: command.env ? false : true,
      shell: command.shell ?? false,
      timeout: command.timeoutMs,
      input: command.input,
      inputFile: command.inputFile,
      stdin: command.input === undefined && command.inputFile === undefined ? ('ignore' as const) : undefined,
      reject: false,
      all: true,
      forceKillAfterDelay: 2_000,
      maxBuffer: 16 * 1024 * 1024,
    };
  }

  function resultOf(result: RawResult, durationMs: number): ExecResult {
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : result.timedOut ? 124 : 1;
    return {
      exitCode,
      stdout: redactor.redact(String(result.stdout ?? '')),
      stderr: redactor.redact(String(result.stderr ?? '')),
      all: redactor.redact(String(result.all ?? '')),
      durationMs,
      timedOut: Boolean(result.timedOut),
      skipped: false,
    };
  }

  return { run, records, redactor };
}

/** Loads execa ahead of the first command, for a process that has idle time before its work arrives. */
export async function warmUpExecutor(): Promise<void> {
  await import('execa');
}
