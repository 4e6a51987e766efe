import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Group commit as an operator sees it: commands and events per batch, and each batch's round
 * trip. Made before the app, since main.ts hands `onAppended` to the event store it creates
 * first; buildApp registers the histograms on the app's registry.
 */
export interface AppendMetrics {
  onAppended(events: number, seconds: number, commands: number): void;
  onRefusedRows(): void;
  register(registry: Registry): void;
}

const SIZES = [1, 2, 5, 10, 20, 50, 100, 200];

export function createAppendMetrics(): AppendMetrics {
  const commands = new Histogram({
    name: 'techflow_append_batch_commands',
    help: 'Commands sharing one group-commit batch (one statement, one commit)',
    buckets: SIZES,
    registers: [],
  });
  const events = new Histogram({
    name: 'techflow_append_batch_events',
    help: 'Events written by one group-commit batch',
    buckets: SIZES,
    registers: [],
  });
  const seconds = new Histogram({
    name: 'techflow_append_batch_seconds',
    help: "A group-commit batch's round trip to the event store, commit included",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [],
  });
  const refused = new Counter({
    name: 'techflow_append_rows_refused_total',
    help: 'Batches the set-based append refused (a moved stream, a stored id or key) and es.append_batch then decided',
    registers: [],
  });
  return {
    onRefusedRows: () => refused.inc(),
    onAppended(written, roundTrip, shared) {
      commands.observe(shared);
      events.observe(written);
      seconds.observe(roundTrip);
    },
    register(registry) {
      for (const metric of [commands, events, seconds, refused]) registry.registerMetric(metric);
    },
  };
}
