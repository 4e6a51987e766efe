import type { EventStore } from './port.js';

/**
 * A /ready check of the event store a service was built with, named after it (`event store
 * (eventstoredb)`), so a 503 says which store is away. It reads the head position: the
 * cheapest read every adapter has (Postgres: one row; EventStoreDB: the last record of $all),
 * and one the contract suite already covers, so the port needs no ping of its own.
 */
export function eventStoreReadyCheck(
  store: Pick<EventStore, 'name' | 'headPosition'>,
): Record<string, () => Promise<unknown>> {
  return { [`event store (${store.name})`]: () => store.headPosition() };
}
