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
  /** sql tool: the tracking table's names as this run's pre-check read them (it existed); the apply step asks no more when they cover every file. */
  recorded?: readonly string[];
}

/** What a tool driver reports before anything is applied. */
export interface MigrationStatus {
  tool: MigrationTool;
  /** Pending migration names in apply order; null when the tool cannot tell. */
  pending: string[] | null;
  /** The SQL each pending migration would run, where the tool can print it (by name); the rest are unclassified. */
  sql?: Record<string, PendingSql>;
  /** Extra words for the summary, e.g. a checksum warning. */
  note?: string;
  warning?: boolean;
  /** The names in the tracking table, when the check saw the table (sql tool, SQLite). */
  recorded?: string[];
}

/** A pending migration's SQL, or why the tool cannot show it. */
export type PendingSql = { sql: string } | { unclassified: string };

export interface MigrationDriver {
  status(input: MigrationsInput): Promise<MigrationStatus>;
  /** Applies pending migrations; returns the names applied, in order. */
  apply(input: MigrationsInput): Promise<string[]>;
}

/** Which migration failed and the tool's own error lines (the database's error first). */
export interface FailureDetail {
  failed: string | null;
  errors: string[];
}

export class MigrationError extends Error {
  readonly failed: string | null;
  readonly errors: string[];
  constructor(
    message: string,
    /** Migrations applied before the failure; they stay applied. */
    readonly applied: string[] = [],
    detail: FailureDetail = { failed: null, errors: [] },
  ) {
    super(message);
    this.name = 'MigrationError';
    this.failed = detail.failed;
    this.errors = detail.errors;
  }
}
