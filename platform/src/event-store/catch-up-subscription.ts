import { setTimeout as delay } from 'node:timers/promises';
import type {
  ReadAllBatch,
  ReadAllFilter,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from './port.js';
import type { WakeSignal } from './wake-signal.js';

/** A readAll page that also says whether the scan reached the head of the log. */
export interface ScannedPage extends ReadAllBatch {
  readonly reachedHead: boolean;
}

export interface CatchUpSource {
  readPage(
    after: bigint,
    filter: ReadAllFilter | undefined,
    maxCount: number,
  ): Promise<ScannedPage>;
  readonly signal: WakeSignal;
  /** Re-read this often even without a wake (covers a lost notification); null never. */
  readonly pollMs: number | null;
}

export const DEFAULT_SUBSCRIPTION_BATCH = 500;

/**
 * The catch-up loop every adapter shares: read a page after the checkpoint, hand it over, move
 * to where the scan ended, and sleep only once a scan reached the head. A page with no matching
 * events but a later `lastPosition` is still delivered, so a filtered consumer's checkpoint
 * moves past events it does not handle (read-your-writes waits on it). The runner owns retries:
 * a failed read or handler ends the subscription and rejects `done`.
 */
export function startCatchUp(
  source: CatchUpSource,
  options: SubscribeOptions,
  handler: SubscriptionHandler,
): Subscription {
  const stop = new AbortController();
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH;
  const coalesceMs = options.coalesceMs ?? 0;
  const run = async () => {
    let after = options.from;
    while (!stop.signal.aborted) {
      const seen = source.signal.version;
      const readAt = performance.now();
      const page = await source.readPage(after, options.filter, batchSize);
      if (stop.signal.aborted) return;
      if (page.lastPosition > after) {
        await handler({ events: page.events, lastPosition: page.lastPosition });
        after = page.lastPosition;
      }
      if (page.reachedHead) {
        await source.signal.wait(seen, source.pollMs, stop.signal);
        const early = readAt + coalesceMs - performance.now();
        if (early > 0)
          await delay(early, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  };
  const done = run();
  // `done` is the caller's to observe; an unobserved failure must not crash the process.
  done.catch(() => undefined);
  return {
    done,
    async close() {
      stop.abort();
      await done.catch(() => undefined);
    },
  };
}
