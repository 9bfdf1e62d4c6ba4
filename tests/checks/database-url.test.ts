import { describe, expect, it } from 'vitest';
import { describeDatabase, parseDatabaseTarget } from '../../src/checks/migrations/database-url.js';

describe('database targets', () => {
  it('tells PostgreSQL URLs from SQLite paths, relative to the project root', () => {
    expect(parseDatabaseTarget('postgresql://u:p@h:5433/db', '/p')).toEqual({ kind: 'postgres', url: 'postgresql://u:p@h:5433/db' });
    expect(parseDatabaseTarget('sqlite:data/app.db', '/p')).toEqual({ kind: 'sqlite', path: '/p/data/app.db' });
    expect(parseDatabaseTarget('sqlite:///var/db/app.db', '/p')).toEqual({ kind: 'sqlite', path: '/var/db/app.db' });
    expect(parseDatabaseTarget('file:shared/app.sqlite', '/p')).toEqual({ kind: 'sqlite', path: '/p/shared/app.sqlite' });
    expect(parseDatabaseTarget('../shared/app', '/p/x')).toEqual({ kind: 'sqlite', path: '/p/shared/app' });
    expect(parseDatabaseTarget('mysql://u@h/db', '/p')).toBeNull();
    expect(parseDatabaseTarget('health', '/p')).toBeNull();
  });

  it('describes a database without its credentials', () => {
    expect(describeDatabase({ kind: 'postgres', url: 'postgres://app:hunter22@db.internal:6543/shop' })).toBe('postgres db.internal:6543/shop');
  });
});
