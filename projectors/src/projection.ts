import type { ProjectionsSchema, RecordedEvent, TenantReadModels } from '@techflow/platform';
import type { Kysely, QueryExecutorProvider, Transaction } from 'kysely';
import type { CheckpointStep } from './runner/checkpoints.js';

/** Every table a projection may write: the tenant read models (via withSchema) and bookkeeping. */
export type ReadModelDatabase = TenantReadModels & ProjectionsSchema;

/**
 * A read model kept up to date from events. The runner owns batching, the checkpoint in the
 * same transaction, retries and dead letters; a projection only says how a batch changes rows.
 */
export interface Projection {
  /** Its checkpoint row and durable consumer are named after it. */
  readonly name: string;
  /**
   * A new version means a rebuild: a runner that finds its read model built by another
   * version calls `reset` and refills it from the event store.
   */
  readonly version: number;
  /** Event types it applies; the runner skips the others but still moves the checkpoint past them. */
  readonly handles: readonly string[];
  /**
   * Idempotent set-up for a batch that must happen outside its transaction (creating a
   * tenant's schema). Called before every `apply`, with the same events.
   */
  prepare?(db: Kysely<ReadModelDatabase>, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Applies events (in position order, only types in `handles`, none applied before) inside
   * the transaction that also moves the checkpoint. Throwing rolls both back.
   */
  apply(trx: Transaction<ReadModelDatabase>, events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Removes every row the projection wrote, inside the transaction that moves its checkpoint
   * back to 0 (a rebuild). Without it a version change is only logged.
   */
  reset?(trx: Transaction<ReadModelDatabase>): Promise<void>;
  /**
   * Optional, for speed: the same writes as `apply` as ONE statement that also runs the
   * runner's checkpoint move (`step.cte`, a data-modifying CTE named `checkpoint_move`) and
   * fails as a whole unless `step.check` holds, so the batch commits in one round trip with no
   * transaction around it and is never written where the checkpoint was not. Null when this
   * batch needs more than one statement; the runner then uses `apply`.
   */
  applyInOneStatement?(
    events: readonly RecordedEvent[],
    step: CheckpointStep,
  ): ((db: QueryExecutorProvider) => Promise<void>) | null;
}
