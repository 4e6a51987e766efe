const settled = () => undefined;

/**
 * Runs tasks with the same key one after another, tasks with different keys concurrently.
 * Commands on one stream in this process then never race each other for the same expected
 * revision (50 deposits on one account would otherwise be 49 conflicts and retries); the
 * revision check still guards against other processes.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous ? previous.then(task) : task();
    const tail = result.then(settled, settled);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  get activeKeys(): number {
    return this.#tails.size;
  }
}
