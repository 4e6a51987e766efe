import type { IdempotencyRecord } from './port.js';

export interface RememberedAnswer {
  readonly record: IdempotencyRecord;
  readonly position: bigint | null;
}

/**
 * Idempotency records kept beside an event store that cannot write them in the same commit as
 * the events (EventStoreDB). The Postgres adapter does not use it: it writes both atomically.
 */
export interface IdempotencyStore {
  find(scope: string, key: string): Promise<RememberedAnswer | null>;
  /** Keeps the first answer when two writers race on one key. */
  remember(record: IdempotencyRecord, position: bigint | null): Promise<void>;
}
