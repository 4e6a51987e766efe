import { EventStoreDBClient } from '@eventstore/db-client';
import { foldStream } from '../aggregate.js';
import { appendOneStream } from '../append-one-stream.js';
import { startCatchUp } from '../catch-up-subscription.js';
import type { IdempotencyStore } from '../idempotency-store.js';
import type { EventStore, Subscription } from '../port.js';
import { validateAppends } from '../validate-appends.js';
import { WakeSignal } from '../wake-signal.js';
import { appendToStream } from './append-to-stream.js';
import type { EsdbClient } from './esdb-client.js';
import { headPosition, readAllPage } from './read-all-page.js';
import { readStream } from './read-stream.js';
import { readOrUnavailable } from './unavailable.js';

export interface EventStoreDBEventStoreOptions {
  /** Where idempotency records live (EventStoreDB has no transaction to put them in). */
  readonly idempotency: IdempotencyStore;
  /** Subscriptions re-read $all this often without an in-process wake-up; default 250 ms. */
  readonly pollMs?: number;
  /** For tests: a client built elsewhere. */
  readonly client?: EsdbClient;
}

const DEFAULT_READ_ALL = 1000;

/**
 * The port over EventStoreDB. What differs from the Postgres adapter:
 * - one stream per commit: appendToStreams with several streams throws;
 * - positions are commit positions: increasing, not gap-free. Each event of a multi-event
 *   append has its own: the server (v20+) writes an append as implicitly committed prepare
 *   records, and its $all reader gives each the record's own log position as commit position
 *   (KurrentDB's AllReader: `new CommitEventRecord(eventRecord, prepare.LogPosition)`), so
 *   resuming after one never skips the rest of its append;
 * - the hash chain is computed here, after reading the stream's last event, and the append
 *   expects exactly that revision, so concurrent writers cannot fork the chain;
 * - idempotency records are written to `options.idempotency` AFTER the append, so the two are
 *   not atomic: a crash in between leaves events without their record. A retry then finds the
 *   events already stored (when their ids are derived from the idempotency key), answers as a
 *   no-op and writes the record then;
 * - an event id reused in another stream is not detected (no global id index);
 * - subscriptions poll $all (plus a wake after this process's own appends).
 */
export function createEventStoreDBEventStore(
  connectionString: string,
  options: EventStoreDBEventStoreOptions,
): EventStore {
  const client = options.client ?? EventStoreDBClient.connectionString(connectionString);
  const signal = new WakeSignal();
  const subscriptions = new Set<Subscription>();
  const head = () => readOrUnavailable(() => headPosition(client));
  const source = {
    signal,
    pollMs: options.pollMs ?? 250,
    readPage: (after: bigint, filter: Parameters<typeof readAllPage>[2], max: number) =>
      readOrUnavailable(() => readAllPage(client, after, filter, max)),
  };

  const appendToStreams: EventStore['appendToStreams'] = async (appends, appendOptions = {}) => {
    validateAppends(appends);
    const [append] = appends;
    if (appends.length !== 1 || !append) {
      throw new Error('the EventStoreDB adapter appends to exactly one stream per commit');
    }
    const idem = appendOptions.idempotency;
    const remembered = idem && (await options.idempotency.find(idem.scope, idem.key));
    if (remembered) return { kind: 'replayed', ...remembered };
    const result = await appendToStream(
      client,
      append.streamId,
      append.events,
      append.expectedRevision,
      head,
    );
    if (append.events.length > 0) signal.notify();
    if (idem) {
      await options.idempotency.remember(idem, append.events.length > 0 ? result.position : null);
    }
    return { kind: 'appended', streams: [result], position: result.position };
  };

  return {
    name: 'eventstoredb',
    readStream: (streamId, readOptions) =>
      readOrUnavailable(() => readStream(client, streamId, readOptions)),
    async aggregateStream(streamId, aggregate) {
      return foldStream(await readOrUnavailable(() => readStream(client, streamId)), aggregate);
    },
    appendToStream: appendOneStream(appendToStreams),
    appendToStreams,
    async readAll(after, readOptions = {}) {
      const max = readOptions.maxCount ?? DEFAULT_READ_ALL;
      const page = await source.readPage(after, readOptions.filter, max);
      return { events: page.events, lastPosition: page.lastPosition };
    },
    subscribe(subscribeOptions, handler) {
      const subscription = startCatchUp(source, subscribeOptions, handler);
      subscriptions.add(subscription);
      subscription.done.finally(() => subscriptions.delete(subscription)).catch(() => undefined);
      return subscription;
    },
    headPosition: head,
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      if (!options.client) await client.dispose();
    },
  };
}
