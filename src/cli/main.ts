#!/usr/bin/env node
/**
 * The `deploy` command line. Only commander loads at start-up; each command's module (config,
 * zod, yaml, execa, ora...) is imported when that command runs, so `deploy --help` stays fast.
 * This file is the one place that turns errors into a message and an exit code.
 */
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import type { Command } from 'commander';
import { readPackageVersion } from './version.js';
import { startOrchestratorEarly } from '../orchestrator/pending.js';
import { runsOrchestrator } from './runs-orchestrator.js';
import type { CliOptions } from './options.js';
import type { ForwardOptions } from '../remote/forward.js';

// commander is CommonJS: require() skips the ESM wrapper and its lexer pass, which is most of
// what an import of it costs at start-up.
const { Command: CommandClass, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof CommanderModule;

const EXIT_USAGE = 2;
const EXIT_NEEDS_HUMAN = 4;

type Handler = (options: CliOptions, ...args: Array<string | undefined>) => Promise<number>;

function withCommon(command: Command): Command {
  return command
    .option('--json', 'print only the final JSON object on stdout')
    .option('--config <path>', 'config file (default: deploy.config.{yaml,yml,json} searched upward)')
    .option('--verbose', 'show debug lines, and stacks of unexpected errors');
}

function withRun(command: Command): Command {
  return command
    .option('--dry-run', 'print the plan and run the pre-checks; change nothing')
    .option('-y, --yes', 'skip the confirmation prompt')
    .option('--lock-wait <duration>', 'wait this long (e.g. 2m) for a held deploy lock instead of exiting 5')
    .option('--reason <text>', 'why; recorded in history')
    .option('--text', 'plain-text summary (no emoji, no colour); with --json, added to the object as "text"');
}

let activeOptions: CliOptions = {};

/** Binds a lazily imported handler to a command; the handler's number is the exit code. */
function action(load: () => Promise<Handler>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const positional = args.slice(0, -2) as Array<string | undefined>;
    activeOptions = { ...(command.parent?.opts() ?? {}), ...command.opts() } as CliOptions;
    const handler = await load();
    process.exitCode = await handler(activeOptions, ...positional);
  };
}

/** A command that reads or steers one environment: on an environment with `hosts:`, it runs on each host instead. */
function onHosts(load: () => Promise<Handler>, forward: ForwardOptions = {}) {
  return action(async () => {
    const handler = await load();
    return async (options, environment, ...rest) => {
      const { forwardToHosts } = await import('../remote/forward.js');
      return (await forwardToHosts(process.argv.slice(2), options, environment, forward)) ?? handler(options, environment, ...rest);
    };
  });
}

function buildProgram(version: string): Command {
  const program = new CommandClass('deploy')
    .description('Safe deploys with one command: pre-checks, blue-green rollout, verification and automatic rollback.')
    .version(version, '-V, --version')
    .enablePositionalOptions()
    .argument('<environment>', 'environment to deploy, e.g. staging')
    .addOption(new Option('--strategy <name>', 'rollout strategy for this deploy').choices(['blue-green', 'canary']))
    .option('--ref <git-ref>', 'commit, branch or tag to deploy (default HEAD)')
    .option('--force-unverified', 'deploy without a verified deploy of the same commit to the required environment (needs --reason)')
    .option('--allow-dirty', 'allow uncommitted changes when deploying to production')
    .option('--accept-data-loss', 'deploy even though the live release wrote files into its own directory that no persist: entry keeps')
    .option('--allow-contract', 'apply contract migrations (DROP COLUMN, RENAME, NOT NULL without a default, …) although a release is live')
    .addHelpText(
      'after',
      '\nExit codes: 0 deployed and verified, 1 failed and rolled back, 2 usage or config error,\n3 pre-check failed, 4 a human is needed, 5 another deploy holds the lock.',
    )
    .action(action(async () => (await import('./commands/deploy.js')).deployCommand));
  withRun(withCommon(program));

  withCommon(program.command('status').description('show the active and previous release of one or every environment').argument('[environment]')).action(
    onHosts(async () => (await import('./commands/status.js')).statusCommand),
  );
  withCommon(program.command('history').description('list past deploys and rollbacks').argument('[environment]'))
    .option('-n, --limit <count>', 'how many records to show', '20')
    .option('--stats', 'DORA figures from the history: deployment frequency, lead time, change failure rate, time to restore')
    .action(onHosts(async () => (await import('./commands/history.js')).historyCommand));
  withRun(withCommon(program.command('rollback').description('send traffic back to an earlier release').argument('<environment>')))
    .option('--to <release>', 'release id to return to (default: the previous release)')
    .action(action(async () => (await import('./commands/deploy.js')).rollbackCommand));
  withRun(withCommon(program.command('stop').description('stop the router and every app process of an environment').argument('<environment>'))).action(
    action(async () => (await import('./commands/deploy.js')).stopCommand),
  );
  withCommon(program.command('attach').description('follow the newest run on each server of an environment to its end, or show how it ended').argument('<environment>')).action(
    action(async () => (await import('./commands/attach.js')).attachCommand),
  );
  withCommon(program.command('recover').description('finish a deploy or rollback that was killed: traffic back on the last verified release').argument('<environment>')).action(
    action(async () => (await import('./commands/recover.js')).recoverCommand),
  );
  withCommon(
    program
      .command('resume')
      .description('bring back the router and the active release after a crash or a reboot (deploys nothing new, idempotent); ends a pause or maintenance')
      .argument('[environment]'),
  )
    .option('--all', 'every environment of this project')
    .option('--watch [interval]', 'keep running and resume again whenever something is down (what the service unit runs)')
    .action(onHosts(async () => (await import('./commands/resume.js')).resumeCommand as Handler));
  withCommon(
    program
      .command('service')
      .description('install: write a systemd unit that runs `deploy resume --all` at boot')
      .argument('<action>', 'install')
      .argument('[environment]', 'an environment with hosts: install the unit on each of its hosts'),
  )
    .option('--system', 'a system unit in /etc/systemd/system (as root) instead of a user unit')
    .option('--output <path>', 'write the unit to this file instead')
    .option('--dry-run', 'print the unit; write nothing')
    .action(
      action(async () => {
        const { serviceCommand } = await import('./commands/service.js');
        const { forwardToHosts } = await import('../remote/forward.js');
        return async (options, verb, environment) => (await forwardToHosts(process.argv.slice(2), options, environment)) ?? serviceCommand(options, verb);
      }),
    );
  withCommon(program.command('unlock').description("remove an environment's deploy lock, whoever holds it").argument('<environment>')).action(
    action(async () => (await import('./commands/unlock.js')).unlockCommand),
  );
  withCommon(program.command('pause').description('hold new requests (each up to --max-wait, then 504) until `deploy resume`').argument('<environment>'))
    .option('--max-wait <duration>', 'longest a request waits before it gets 504', '30s')
    .action(onHosts(async () => (await import('./commands/traffic.js')).pauseCommand as Handler));
  withCommon(program.command('maintenance').description('answer every request with 503 and a maintenance page until `deploy resume`').argument('<environment>'))
    .option('--message <text>', 'the text on the maintenance page')
    .action(onHosts(async () => (await import('./commands/traffic.js')).maintenanceCommand as Handler));
  withCommon(program.command('guard').description('show the post-deploy guard of an environment; --stop ends it early').argument('<environment>'))
    .option('--stop', 'stop watching now (traffic stays where it is)')
    .option('--reason <text>', 'why; recorded in history')
    .action(onHosts(async () => (await import('./commands/guard.js')).guardCommand as Handler));
  withCommon(program.command('logs').description("print the app's log (the active release's output, secrets hidden); --follow keeps printing until Ctrl-C").argument('<environment>'))
    .option('-f, --follow', 'keep printing new lines, across deploys, until Ctrl-C')
    .option('-n, --lines <n>', 'how many of the last lines to print first', '100')
    .action(onHosts(async () => (await import('./commands/logs.js')).logsCommand as Handler, { stream: true, redact: true }));
  withCommon(program.command('init').description('write a commented starter deploy.config.yaml here (reads package.json; a trial start finds the health path)'))
    .option('--no-probe', 'do not start the app to find a health path')
    .option('--claude', 'also write the Claude Code /deploy, /rollback and /deploy-status commands, agent, skill and production approval hook into .claude/')
    .action(action(async () => (await import('./commands/init.js')).initCommand));

  withCommon(program.command('promote').description('skip the remaining steps of the running canary and send it 100%').argument('<environment>'))
    .option('-y, --yes', 'skip the confirmation prompt')
    .action(action(async () => (await import('./commands/promote.js')).promoteCommand));
  withCommon(program.command('abort').description('abort the running canary: all traffic back to stable').argument('<environment>'))
    .option('-y, --yes', 'skip the confirmation prompt')
    .action(action(async () => (await import('./commands/promote.js')).abortCommand));
  withCommon(
    program
      .command('flags')
      .description('feature flags: list | set <flag> --percent N | enable <flag> | disable <flag> | rollout <flag> --steps 10,50,100 | audit')
      .argument('<environment>')
      .argument('<action>')
      .argument('[flag]'),
  )
    .option('--percent <n>', 'share of users that get the flag (set)')
    .option('--steps <list>', 'rollout percentages', '10,50,100')
    .option('--interval <duration>', 'time at each rollout step (default canary.interval)')
    .option('--min-requests <n>', 'samples per cohort before a step decides (default verify.minRequests)')
    .option('--user-header <name>', 'request header that keys the sticky assignment (e.g. x-user-id); "" for the cookie')
    .option('--reason <text>', 'why; recorded in the audit log')
    .action(onHosts(async () => (await import('./commands/flags.js')).flagsCommand as Handler));

  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(readPackageVersion());
  if (runsOrchestrator(argv, program.commands.flatMap((command) => [command.name(), ...command.aliases()]))) startOrchestratorEarly();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = await reportError(error);
  }
  // The answer is out: exit once it is flushed. Waiting for the event loop to drain costs a deploy ~20–60 ms of
  // heap teardown on a 2-core box, and whatever a plug-in left behind (a socket, a timer) must not keep the CLI alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
  setTimeout(() => process.exit(), 2_000).unref();
}

async function reportError(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    // Help and version are "errors" in commander's exit-override mode.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const { reportFailure } = await import('./report-error.js');
  return reportFailure(error, activeOptions, EXIT_NEEDS_HUMAN);
}

void main(process.argv.slice(2));
