import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the relay and the runners report; one set per process, on its own registry. */
export interface ProjectorMetrics {
  readonly relayPosition: Gauge<never>;
  readonly relayLag: Gauge<never>;
  readonly relayPublished: Counter<never>;
  readonly projectionPosition: Gauge<'projection'>;
  readonly projectionLag: Gauge<'projection'>;
  readonly eventsApplied: Counter<'projection'>;
  readonly batchSeconds: Histogram<'projection'>;
  readonly deadLetters: Counter<'projection'>;
  readonly pullRestarts: Counter<'projection'>;
  readonly heldTenants: Gauge<'projection'>;
}

export function createProjectorMetrics(registry: Registry): ProjectorMetrics {
  const registers = [registry];
  return {
    relayPosition: new Gauge({
      name: 'relay_position',
      help: 'Last event store position the relay published and checkpointed',
      registers,
    }),
    relayLag: new Gauge({
      name: 'relay_lag_events',
      help: 'Event store head minus the relay position',
      registers,
    }),
    relayPublished: new Counter({
      name: 'relay_events_published_total',
      help: 'Events published to JetStream (republished ones included)',
      registers,
    }),
    projectionPosition: new Gauge({
      name: 'projection_position',
      help: 'Checkpoint of each projection',
      labelNames: ['projection'] as const,
      registers,
    }),
    projectionLag: new Gauge({
      name: 'projection_lag_events',
      help: 'Event store head minus the projection checkpoint',
      labelNames: ['projection'] as const,
      registers,
    }),
    eventsApplied: new Counter({
      name: 'projection_events_total',
      help: 'Events a projection moved past (applied or skipped); rate() gives events/s',
      labelNames: ['projection'] as const,
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'projection_batch_seconds',
      help: 'Time to apply one batch and commit its checkpoint',
      labelNames: ['projection'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    deadLetters: new Counter({
      name: 'projection_dead_letters_total',
      help: 'Events that could not be applied (their tenant held back, or the projection failed)',
      labelNames: ['projection'] as const,
      registers,
    }),
    pullRestarts: new Counter({
      name: 'projection_pull_restarts_total',
      help: 'JetStream fetches ended because nothing came while the event store was ahead',
      labelNames: ['projection'] as const,
      registers,
    }),
    heldTenants: new Gauge({
      name: 'projection_held_tenants',
      help: 'Tenants held back after one of their events could not be applied (replayed at start and every few minutes)',
      labelNames: ['projection'] as const,
      registers,
    }),
  };
}
