import { foldStream } from '../aggregate.js';
import { appendOneStream } from '../append-one-stream.js';
import { startCatchUp } from '../catch-up-subscription.js';
import type { EventStore, RecordedEvent, Subscription } from '../port.js';
import { validateAppends } from '../validate-appends.js';
import { WakeSignal } from '../wake-signal.js';
import { appendCommand } from './append-command.js';
import { createMemoryState, headOf } from './memory-state.js';
import { readPage } from './read-page.js';

const DEFAULT_READ_ALL = 1000;

/**
 * The whole port in memory, for unit tests of handlers and projections. It keeps the Postgres
 * adapter's semantics (gap-free positions, per-command all or nothing, idempotency records),
 * checked by the same contract suite.
 */
export function createMemoryEventStore(): EventStore {
  const state = createMemoryState();
  const signal = new WakeSignal();
  const subscriptions = new Set<Subscription>();
  const source = {
    signal,
    pollMs: null,
    readPage: async (after: bigint, filter: Parameters<typeof readPage>[2], max: number) =>
      readPage(state, after, filter, max),
  };

  const readStream: EventStore['readStream'] = async (streamId, options = {}) => {
    const from = options.fromRevision ?? 0n;
    const to = options.toRevision;
    const selected = (state.streams.get(streamId) ?? []).filter(
      (e: RecordedEvent) => e.revision >= from && (to === undefined || e.revision <= to),
    );
    return options.maxCount === undefined ? selected : selected.slice(0, options.maxCount);
  };

  const appendToStreams: EventStore['appendToStreams'] = async (appends, options = {}) => {
    validateAppends(appends);
    const before = headOf(state);
    const outcome = appendCommand(state, appends, options);
    if (headOf(state) > before) signal.notify();
    return outcome;
  };

  return {
    name: 'memory',
    readStream,
    async aggregateStream(streamId, options) {
      return foldStream(await readStream(streamId), options);
    },
    appendToStream: appendOneStream(appendToStreams),
    appendToStreams,
    async readAll(after, options = {}) {
      const page = readPage(state, after, options.filter, options.maxCount ?? DEFAULT_READ_ALL);
      return { events: page.events, lastPosition: page.lastPosition };
    },
    subscribe(options, handler) {
      const subscription = startCatchUp(source, options, handler);
      subscriptions.add(subscription);
      subscription.done.finally(() => subscriptions.delete(subscription)).catch(() => undefined);
      return subscription;
    },
    async headPosition() {
      return headOf(state);
    },
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
    },
  };
}
