/** Options as commander hands them over (camelCase), merged from the program and the sub-command. */
export interface CliOptions {
  json?: boolean;
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
  to?: string;
  limit?: string;
  stats?: boolean;
}
