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
    if (options.dryRun && command.mutates) {
      options.onLog?.(`dry-run: would run ${shown}`);
      records.push({ command: shown, exitCode: 0, durationMs: 0, skipped: true });
      return { exitCode: 0, stdout: '', stderr: '', all: '', durationMs: 0, timedOut: false, skipped: true };
    }
    const { execa } = await import('execa');
    const started = performance.now();
    const result = await execa(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      extendEnv: command.env ? false : true,
      shell: command.shell ?? false,
      timeout: command.timeoutMs,
      input: command.input,
      inputFile: command.inputFile,
      stdin: command.input === undefined && command.inputFile === undefined ? 'ignore' : undefined,
      reject: false,
      all: true,
      forceKillAfterDelay: 2_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const durationMs = Math.round(performance.now() - started);
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : result.timedOut ? 124 : 1;
    records.push({ command: shown, exitCode, durationMs, skipped: false });
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
