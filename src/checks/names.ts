/**
 * The check names recipes.yaml's `preChecks` may list, in the order they are documented (docs/pre-checks.md).
 * `lock` is taken by the orchestrator itself; the others are built by buildPreChecks.
 */
export const PRE_CHECK_NAMES = ['tests', 'migrations', 'env', 'rollback-plan', 'git', 'gate', 'lock', 'hooks'] as const;
export type PreCheckName = (typeof PRE_CHECK_NAMES)[number];
