import type { AggregateOptions, AggregateResult, RecordedEvent } from './port.js';

/** The default mapping hands evolve what the domain's event unions look like. */
const toDomainEvent = (e: RecordedEvent) => ({ type: e.type, version: e.version, data: e.data });

/** Folds a stream's events read in revision order; shared by every adapter. */
export function foldStream<S, E>(
  events: readonly RecordedEvent[],
  options: AggregateOptions<S, E>,
): AggregateResult<S> {
  // Without `map`, E is whatever the caller's evolve accepts: the default shape is the contract.
  const map = options.map ?? (toDomainEvent as unknown as (event: RecordedEvent) => E);
  let state = options.initialState();
  for (const event of events) state = options.evolve(state, map(event));
  const last = events.at(-1);
  return { state, revision: last?.revision ?? null, lastPosition: last?.position ?? null };
}
