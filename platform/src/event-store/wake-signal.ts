/**
 * Wakes waiting subscriptions when new events may have committed. A waiter passes the version
 * it saw before reading, so a wake that lands between its read and its wait is never lost.
 */
export class WakeSignal {
  #version = 0;
  readonly #waiters = new Set<() => void>();

  get version(): number {
    return this.#version;
  }

  notify(): void {
    this.#version++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /**
   * Resolves once notified after `seen`, after `timeoutMs` (the poll that covers a lost
   * notification; null waits for a wake only), or when `abort` fires.
   */
  wait(seen: number, timeoutMs: number | null, abort: AbortSignal): Promise<void> {
    if (this.#version !== seen || abort.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (timer) clearTimeout(timer);
        abort.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = timeoutMs === null ? null : setTimeout(done, timeoutMs);
      abort.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }
}
