import type { Executor } from '../../exec/executor.js';

export type MigrationTool = 'prisma' | 'drizzle' | 'knex' | 'node-pg-migrate' | 'umzug' | 'sql';

/** Narrow inputs for the migrations check and apply step (mirrors ResolvedEnvironment.migrations plus what runs it). */
export interface MigrationsInput {
  /** Project root. */
  cwd: string;
  mode: 'auto' | 'none' | 'tool';
  tool: MigrationTool | null;
  /** sql tool: folder of .sql files, relative to cwd. Default "migrations". */
  dir: string | null;
  /** sql tool: tracking table. Default "schema_migrations". */
  table: string | null;
  /** Database URL (postgres://…, sqlite:path, or a .db/.sqlite file path). Secret: never printed. */
  database: string | null;
  /** Apply command when the tool has no default (umzug), run through a shell. */
  command: string | null;
  executor: Executor;
  /** Resolved environment variables for tool CLIs (knex reads its knexfile with them). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** What a tool driver reports before anything is applied. */
export interface MigrationStatus {
  tool: MigrationTool;
  /** Pending migration names in apply order; null when the tool cannot tell. */
  pending: string[] | null;
  /** Extra words for the summary, e.g. a checksum warning. */
  note?: string;
  warning?: boolean;
}

export interface MigrationDriver {
  status(input: MigrationsInput): Promise<MigrationStatus>;
  /** Applies pending migrations; returns the names applied, in order. */
  apply(input: MigrationsInput): Promise<string[]>;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    /** Migrations applied before the failure; they stay applied. */
    readonly applied: string[] = [],
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}
