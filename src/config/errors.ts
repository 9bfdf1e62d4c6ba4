import { UserError } from '../errors.js';
import type { ConfigProblem } from './issues.js';

/** Every problem found in a config file, reported together; each becomes one `file: path: message` line. */
export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.path}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}
