import { ExitCode, UserError } from '../../errors.js';
import type { PlatformDriver } from '../../orchestrator/types.js';
import { deployRailway } from './deploy-flow.js';
import { rollbackRailway } from './rollback-flow.js';
import { platformDeployments, railwayStatus } from './overview.js';
import { recoverRailway } from './recover.js';

/** platform: railway, through Railway's public GraphQL API (no CLI needed). See docs/platforms/railway.md. */
export function createDriver(): PlatformDriver {
  return {
    name: 'railway',
    deploy: (ctx) => deployRailway(ctx),
    rollback: (ctx, to) => rollbackRailway(ctx, to),
    status: (ctx) => railwayStatus(ctx),
    history: (ctx) => platformDeployments(ctx, 20),
    recover: (ctx, journal) => recoverRailway(ctx, journal),
    stop: async () => {
      throw new UserError('deploy stop is not available on Railway: remove the deployment in Railway itself (our API token never deletes services)', ExitCode.usage);
    },
  };
}
