import type { MigrationFileReport } from '../../contracts/summary.js';

export const EXPAND_CONTRACT_RECIPE =
  'expand/contract: add the new column or table, backfill it and switch the code in this release; drop the old one in a later release, once no running release needs it (docs/migrations.md)';

/**
 * Migrations run while the live release (blue) still serves, and a rollback returns to it on the migrated schema:
 * a contract migration breaks both. The detail names the first such file and statement, the recipe and the override.
 */
export function contractRefusal(files: MigrationFileReport[] | null): string | null {
  const contract = (files ?? []).filter((f) => f.kind === 'contract');
  if (contract.length === 0) return null;
  const first = contract[0]!;
  const more = contract.length > 1 ? ` (and ${contract.slice(1).map((f) => f.name).join(', ')})` : '';
  return `contract migration ${first.name}${more}: \`${first.statement}\` ${first.reason}, which breaks the live release and any rollback; ${EXPAND_CONTRACT_RECIPE}; --allow-contract deploys it anyway`;
}

/** With --allow-contract: the deploy goes on, and the check says what it let through. */
export function contractAllowedNote(files: MigrationFileReport[] | null): string | null {
  const contract = (files ?? []).filter((f) => f.kind === 'contract');
  return contract.length ? `contract allowed (--allow-contract): ${contract.map((f) => f.name).join(', ')}` : null;
}
