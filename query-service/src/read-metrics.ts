import { Gauge, Histogram, type Registry } from 'prom-client';
import type { CheckpointTracker } from './min-position.js';

export type MinPositionWait = Histogram<'outcome'>;

/**
 * The read path's own metrics, on the app's registry: how long reads wait for their writes
 * (the query half of write-to-visible latency), how many are parked, and the checkpoint.
 * Returns the wait histogram, which the read-your-writes hook observes.
 */
export function createReadMetrics(
  registry: Registry,
  tracker: CheckpointTracker,
  projection: string,
): MinPositionWait {
  new Gauge({
    name: 'techflow_query_parked_reads',
    help: 'Reads waiting for the projection to reach their X-Min-Position',
    registers: [registry],
    collect() {
      this.set(tracker.waiting(projection));
    },
  });
  new Gauge({
    name: 'techflow_query_checkpoint_position',
    help: 'The projection checkpoint as this query instance last heard it',
    registers: [registry],
    collect() {
      this.set(Number(tracker.position(projection)));
    },
  });
  new Gauge({
    name: 'techflow_query_held_tenants',
    help: 'Tenants the projection holds back (their reads stay where their model is complete)',
    registers: [registry],
    collect() {
      this.set(tracker.heldCount(projection));
    },
  });
  return new Histogram({
    name: 'techflow_query_min_position_wait_seconds',
    help: 'Time reads with X-Min-Position waited for the read model (outcome: ok, stale, held when the caller’s tenant is held back, or gone when the caller hung up)',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}
