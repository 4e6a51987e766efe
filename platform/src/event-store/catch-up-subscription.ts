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
  /**
   * Where wakes cost something to deliver (a NOTIFY per commit): told when this subscription
   * reads on its own clock because every read finds events, and when it needs wakes again
   * (resolves once they are delivered).
   */
  readonly wakes?: WakeDemand;
}

export interface WakeDemand {
  busy(): void;
  idle(): Promise<void>;
}

/**
 * Reads in a row that all found events before a subscription that coalesces stops waiting
 * for wakes and reads every coalesceMs instead: about a tenth of a second of steady load.
 */
export const BUSY_AFTER_READS = 20;

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
  // Busy: every read finds events, so the next read comes coalesceMs after this one without
  // waiting for a wake, and the wakes (a NOTIFY per commit) are not needed. The first read
  // that finds nothing asks for wakes again and reads once more before it waits, so an
  // append committed before the wakes resumed is still read.
  const wakes = coalesceMs > 0 ? source.wakes : undefined;
  let found = 0;
  let busy = false;
  const run = async () => {
    let after = options.from;
    while (!stop.signal.aborted) {
      const seen = source.signal.version;
      const readAt = performance.now();
      const page = await source.readPage(after, options.filter, batchSize);
      if (stop.signal.aborted) return;
      const moved = page.lastPosition > after;
      if (moved) {
        await handler({ events: page.events, lastPosition: page.lastPosition });
        after = page.lastPosition;
      }
      if (page.reachedHead) {
        found = moved ? found + 1 : 0;
        if (wakes && !busy && found >= BUSY_AFTER_READS) {
          busy = true;
          wakes.busy();
        }
        if (busy && !moved) {
          busy = false;
          await wakes?.idle();
          continue;
        }
        if (!busy) await source.signal.wait(seen, source.pollMs, stop.signal);
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
