import type { IdempotencyRecord, RecordedEvent } from '../port.js';

export interface StoredIdempotency {
  readonly record: IdempotencyRecord;
  readonly position: bigint | null;
}

/** Everything the memory store holds; `log[i]` has position i + 1, so positions are gap-free. */
export interface MemoryState {
  readonly log: RecordedEvent[];
  readonly streams: Map<string, RecordedEvent[]>;
  readonly byId: Map<string, RecordedEvent>;
  readonly idempotency: Map<string, StoredIdempotency>;
}

export const createMemoryState = (): MemoryState => ({
  log: [],
  streams: new Map(),
  byId: new Map(),
  idempotency: new Map(),
});

/** Scope and key joined so that no pair of strings can collide. */
export const idempotencyKey = (scope: string, key: string) => JSON.stringify([scope, key]);

export const headOf = (state: MemoryState) => BigInt(state.log.length);
