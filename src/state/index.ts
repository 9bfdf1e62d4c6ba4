export { StateStore, environmentsWithState } from './store.js';
export { ensureDeployDir, stateDirOf } from './deploy-dir.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic-write.js';
export { emptyState, type EnvironmentState, type ReleaseRecord, type Slot } from './schema.js';
