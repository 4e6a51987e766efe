/** An aggregate as last seen: enough to decide the next command without reading the stream. */
export interface CachedAggregate<S> {
  readonly state: S;
  /** The stream's last revision; null when the stream does not exist. */
  readonly revision: bigint | null;
  /** Global position of the stream's last event; null when it does not exist. */
  readonly position: bigint | null;
}

/**
 * Least-recently-used aggregates (a Map keeps insertion order; a hit moves to the end).
 * A stale entry is safe: the append's expected revision catches it, and the handler evicts
 * and reloads. It only saves the read on the hot path.
 */
export class AggregateCache<S> {
  readonly #entries = new Map<string, CachedAggregate<S>>();
  constructor(readonly capacity: number) {}

  get(streamId: string): CachedAggregate<S> | undefined {
    const hit = this.#entries.get(streamId);
    if (!hit) return undefined;
    this.#entries.delete(streamId);
    this.#entries.set(streamId, hit);
    return hit;
  }

  set(streamId: string, entry: CachedAggregate<S>): void {
    if (this.capacity <= 0) return;
    this.#entries.delete(streamId);
    this.#entries.set(streamId, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(streamId: string): void {
    this.#entries.delete(streamId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
