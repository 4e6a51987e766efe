export {
  buildApp,
  type QueryServiceConfig,
  type QueryServiceDeps,
  type QueryServiceOptions,
} from './app.js';
export {
  type CheckpointTracker,
  type CheckpointTrackerOptions,
  createCheckpointTracker,
} from './min-position.js';
