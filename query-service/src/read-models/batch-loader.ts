/**
 * Group reads: lookups by key that arrive in the same turn of the event loop go to the
 * database as one statement per scope (a tenant's schema), the read-side twin of the event
 * store's group commit. Reads released together (a projection checkpoint answering every
 * read parked on X-Min-Position, a burst of requests parsed from the sockets at once) then
 * cost one round trip instead of one each: on this machine a write that wakes Postgres costs
 * the query service more CPU than the rest of the read (see docs/PERFORMANCE.md).
 *
 * A lone lookup waits for nothing: the batch leaves at setImmediate, in the same turn of the
 * loop it was asked in, once the callbacks of that turn have had their say.
 */
export interface BatchLoader<V> {
  /** The value stored under `key` in `scope`, or undefined when there is none. */
  load(scope: string, key: string): Promise<V | undefined>;
}

/** Fetches the values of `keys` in `scope`; a key it does not answer has no value. */
export type BatchFetch<V> = (
  scope: string,
  keys: readonly string[],
) => Promise<ReadonlyMap<string, V>>;

export interface BatchLoaderOptions {
  /** Keys per statement; a larger turn is split. */
  readonly maxBatch?: number;
}

interface Waiter<V> {
  readonly resolve: (value: V | undefined) => void;
  readonly reject: (error: unknown) => void;
}

export function createBatchLoader<V>(
  fetch: BatchFetch<V>,
  options: BatchLoaderOptions = {},
): BatchLoader<V> {
  const maxBatch = options.maxBatch ?? 100;
  // scope -> key -> everyone who asked for it this turn (the same key asked twice is read once)
  let pending = new Map<string, Map<string, Waiter<V>[]>>();
  let scheduled = false;

  const run = (scope: string, keys: readonly string[], waiters: Map<string, Waiter<V>[]>) => {
    // A fetch that throws instead of rejecting must still answer its waiters, not escape
    // from the setImmediate callback and take the process down.
    let answer: Promise<ReadonlyMap<string, V>>;
    try {
      answer = fetch(scope, keys);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (found) => {
        for (const key of keys) for (const w of waiters.get(key)!) w.resolve(found.get(key));
      },
      (error: unknown) => {
        for (const key of keys) for (const w of waiters.get(key)!) w.reject(error);
      },
    );
  };

  const flush = () => {
    scheduled = false;
    const turn = pending;
    pending = new Map();
    for (const [scope, waiters] of turn) {
      const keys = [...waiters.keys()];
      for (let i = 0; i < keys.length; i += maxBatch) {
        run(scope, keys.slice(i, i + maxBatch), waiters);
      }
    }
  };

  return {
    load(scope, key) {
      return new Promise<V | undefined>((resolve, reject) => {
        let waiters = pending.get(scope);
        if (!waiters) {
          waiters = new Map();
          pending.set(scope, waiters);
        }
        const list = waiters.get(key);
        if (list) list.push({ resolve, reject });
        else waiters.set(key, [{ resolve, reject }]);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
