import { describe, expect, it } from 'vitest';
import { runsOrchestrator } from '../../src/cli/runs-orchestrator.js';

const COMMANDS = ['status', 'history', 'rollback', 'stop', 'init', 'logs', 'resume', 'unlock'];

describe('which command lines start the orchestrator before the CLI has loaded the command', () => {
  it('a deploy, a rollback and a stop do, with options before or after the environment', () => {
    for (const argv of [['staging'], ['staging', '--yes'], ['--yes', 'staging'], ['--config', 'ops/deploy.yaml', 'staging'], ['--strategy', 'canary', 'production'], ['rollback', 'staging', '--to', 'r1'], ['stop', 'staging'], ['--config=x.yaml', 'staging']]) {
      expect(runsOrchestrator(argv, COMMANDS), argv.join(' ')).toBe(true);
    }
  });

  it('help, version, no arguments and every other command do not', () => {
    for (const argv of [[], ['--help'], ['staging', '--help'], ['-h'], ['-V'], ['--version'], ['help'], ['status'], ['history', 'staging', '-n', '5'], ['--config', 'x.yaml', 'status'], ['init'], ['resume', '--all']]) {
      expect(runsOrchestrator(argv, COMMANDS), argv.join(' ')).toBe(false);
    }
  });
});
