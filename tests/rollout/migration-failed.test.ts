import { describe, expect, it } from 'vitest';
import { migrationFailed } from '../../src/rollout/migrate.js';

describe('a failed migration outcome', () => {
  const release = { id: 'r-2', version: '1.0.1', commit: null, contentHash: null } as Parameters<typeof migrationFailed>[0];

  it('says green was never started, names what stayed applied, and is not a post-deployment check', () => {
    const outcome = migrationFailed(release, 'r-1', 'relation "users" does not exist', ['001_users.sql']);
    expect(outcome).toMatchObject({ status: 'failed', exitCode: 1, post: [], previousRelease: 'r-1', verified: false });
    expect(outcome.message).toBe('Migrations failed: relation "users" does not exist; applied before the failure and kept: 001_users.sql; green r-2 was never started, r-1 still serves');
    expect(outcome.message).not.toMatch(/stopped before it got traffic/);
    expect(outcome.rollback).toEqual({ performed: false, reason: 'Migrations: relation "users" does not exist' });
  });

  it('names no previous release on a first deploy', () => {
    expect(migrationFailed(release, null, 'syntax error', []).message).toBe('Migrations failed: syntax error; green r-2 was never started');
  });
});
