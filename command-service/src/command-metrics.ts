import { Counter, Histogram, type Registry } from 'prom-client';

export interface CommandMetrics {
  readonly eventsAppended: Counter<'category'>;
  readonly duration: Histogram<'command' | 'outcome'>;
  readonly conflicts: Counter<'category'>;
  readonly retriesExhausted: Counter<'category'>;
}

/** The command path's own metrics, on the app's registry. */
export const createCommandMetrics = (registry: Registry): CommandMetrics => ({
  eventsAppended: new Counter({
    name: 'techflow_events_appended_total',
    help: 'Events appended to the event store by commands',
    labelNames: ['category'],
    registers: [registry],
  }),
  duration: new Histogram({
    name: 'techflow_command_duration_seconds',
    help: 'From loading the aggregate to the commit of its events',
    labelNames: ['command', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  conflicts: new Counter({
    name: 'techflow_command_conflicts_total',
    help: 'Appends refused for a stale expected revision, each followed by a retry',
    labelNames: ['category'],
    registers: [registry],
  }),
  retriesExhausted: new Counter({
    name: 'techflow_command_retries_exhausted_total',
    help: 'Commands answered 409 concurrency_conflict after every retry conflicted',
    labelNames: ['category'],
    registers: [registry],
  }),
});
