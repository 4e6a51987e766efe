import fp from 'fastify-plugin';
import type { CheckpointTracker } from '../min-position.js';
import type { ReadDb } from '../read-models/db.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Kysely over the read models (tenant schemas and `projections`). */
    readDb: ReadDb;
    /** The projections' checkpoints as this instance last heard them. */
    checkpoints: CheckpointTracker;
  }
}

export interface ReadStoreOptions {
  readonly db: ReadDb;
  readonly checkpoints: CheckpointTracker;
}

/**
 * Makes the read side's resources available to every route. The caller built them and closes
 * them (main.ts after `app.close()`; tests in teardown), so tests can share one pool.
 */
export const readStore = fp<ReadStoreOptions>(
  async (app, options) => {
    app.decorate('readDb', options.db);
    app.decorate('checkpoints', options.checkpoints);
  },
  { name: 'read-store' },
);
