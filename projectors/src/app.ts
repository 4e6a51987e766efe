import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type App,
  type Config,
  createBaseApp,
  createKysely,
  type EventStore,
  eventStoreReadyCheck,
  type Pool,
} from '@techflow/platform';
import type { Kysely } from 'kysely';
import { createProjectorMetrics } from './metrics.js';
import type { Projection, ReadModelDatabase } from './projection.js';
import { accountsProjection } from './projections/accounts.js';
import type { RelaySchema } from './relay/checkpoint.js';
import { createRelay, type Relay } from './relay/relay.js';
import { createProjectionRunner, type ProjectionRunner, type RunnerOptions } from './runner.js';

/** Which halves this process runs; tests run them as separate processes. */
export type ProjectorsRole = 'relay' | 'projections' | 'all';

export const PROJECTIONS: readonly Projection[] = [accountsProjection];

export interface ProjectorsDeps {
  readonly pool: Pool;
  readonly db: Kysely<ReadModelDatabase>;
  readonly eventStore: EventStore;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

export interface ProjectorsOptions {
  readonly role: ProjectorsRole;
  readonly projections?: readonly Projection[];
  readonly runner?: RunnerOptions;
  /** Runs on close once the relay and runners have stopped: close what main.ts opened. */
  readonly afterStop?: () => Promise<void>;
}

export interface Projectors {
  readonly app: App;
  readonly relay: Relay | null;
  readonly runners: readonly ProjectionRunner[];
}

/**
 * The ops HTTP app (/health, /ready, /metrics) with the relay and the projection runners
 * attached: they start when the app is ready and stop, finishing their batch in flight, when
 * it closes. Never listens; main.ts does.
 */
export async function buildProjectors(
  config: Config,
  deps: ProjectorsDeps,
  options: ProjectorsOptions,
): Promise<Projectors> {
  let runners: ProjectionRunner[] = [];
  const app = await createBaseApp({
    name: 'projectors',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    readyChecks: {
      postgres: () => deps.pool.query('select 1'),
      // The relay and the runners' gap fills read it.
      ...eventStoreReadyCheck(deps.eventStore),
      nats: () => deps.nc.flush(),
      // A failed projection is not ready: its read model no longer moves.
      projections: async () => {
        const failed = runners.filter((r) => r.status().status === 'failed').map((r) => r.name);
        if (failed.length > 0) throw new Error(`failed: ${failed.join(', ')}`);
      },
    },
    // A tenant held back (one of its events could not be applied) waits for a restart while
    // every other goes on: degraded, not down.
    optionalReadyChecks: {
      'held tenants': async () => {
        if (runners.some((r) => r.status().heldTenants > 0)) throw new Error('tenants held');
      },
    },
  });
  const metrics = createProjectorMetrics(app.metrics);
  const log = app.log;
  const common = {
    eventStore: deps.eventStore,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
    metrics,
    log,
  };

  // The relay's own typed handle on the same pool (Kysely types are invariant); the pool is
  // main.ts's to end.
  const relay =
    options.role === 'projections'
      ? null
      : createRelay({ ...common, nc: deps.nc, db: createKysely<RelaySchema>(deps.pool) });
  runners =
    options.role === 'relay'
      ? []
      : (options.projections ?? PROJECTIONS).map((p) =>
          createProjectionRunner(
            { ...common, db: deps.db, js: deps.js, jsm: deps.jsm, stream: config.NATS_STREAM },
            p,
            options.runner,
          ),
        );

  app.addHook('onReady', async () => {
    await relay?.start();
    for (const r of runners) await r.start();
  });
  app.addHook('onClose', async () => {
    await Promise.all([relay?.stop(), ...runners.map((r) => r.stop())]);
    await options.afterStop?.();
  });
  return { app, relay, runners };
}
