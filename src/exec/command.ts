/**
 * A command built as data (Kamal style). Builders return these; only the
 * executor runs them. `mutates` marks commands skipped under --dry-run.
 */
export interface Command {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  mutates: boolean;
  /** Run through a shell. Only for the user's own `build:`/`start:`/`tests:` lines. */
  shell?: boolean;
  timeoutMs?: number;
  /** Stdin content, used to hand secrets to a child without putting them on argv. */
  input?: string;
  /** A file streamed to stdin (an archive sent to a host over ssh). */
  inputFile?: string;
  /** A command that reads this one's stdout as its stdin, both running at once (`git archive | tar -x`). */
  pipeTo?: Command;
}

export function describeCommand(command: Command): string {
  const shown = command.shell ? command.file : [command.file, ...command.args].map(quoteForDisplay).join(' ');
  return command.pipeTo ? `${shown} | ${describeCommand(command.pipeTo)}` : shown;
}

function quoteForDisplay(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
