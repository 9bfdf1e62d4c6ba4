/** Options as commander hands them over (camelCase), merged from the program and the sub-command. */
export interface CliOptions {
  json?: boolean;
  /** Plain-text summary (no emoji, no colour); with --json, added to the object as `text`. */
  text?: boolean;
  /** init: write the Claude Code commands, agent, skill and approval hook into .claude/. */
  claude?: boolean;
  config?: string;
  verbose?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  lockWait?: string;
  reason?: string;
  strategy?: 'blue-green' | 'canary';
  ref?: string;
  forceUnverified?: boolean;
  allowDirty?: boolean;
  acceptDataLoss?: boolean;
  allowContract?: boolean;
  /** init: `--no-probe` skips the trial start. */
  probe?: boolean;
  to?: string;
  limit?: string;
  stats?: boolean;
}
