const RUN_COMMANDS = new Set(['rollback', 'stop']);
const NO_RUN_FLAGS = new Set(['-h', '--help', '-V', '--version']);
/** Options whose value is the next word (src/cli/main.ts). */
const TAKES_VALUE = new Set(['--config', '--strategy', '--ref', '--lock-wait', '--reason', '--to', '-n', '--limit', '--output']);

/**
 * Whether argv runs the orchestrator: a deploy (its first word is an environment, not one of `commands`), a rollback
 * or a stop. Help and version never do. A wrong guess costs one child process, which exits with the CLI.
 */
export function runsOrchestrator(argv: string[], commands: string[]): boolean {
  if (argv.some((arg) => NO_RUN_FLAGS.has(arg))) return false;
  const first = argv.find((arg, i) => !arg.startsWith('-') && !TAKES_VALUE.has(argv[i - 1] ?? ''));
  if (first === undefined) return false;
  if (RUN_COMMANDS.has(first)) return true;
  return first !== 'help' && !commands.includes(first);
}
