import { foldStream } from '../aggregate.js';
import { appendOneStream } from '../append-one-stream.js';
import { startCatchUp } from '../catch-up-subscription.js';
import type { EventStore, Subscription } from '../port.js';
import { validateAppends } from '../validate-appends.js';
import { WakeSignal } from '../wake-signal.js';
import type { BatchCommand, BatchOutcome } from './append-batch.js';
import { createAppendListener } from './append-listener.js';
import { appendCommands } from './append-rows.js';
import { fromBatchOutcome } from './from-batch-outcome.js';
import { createGroupCommit } from './group-commit.js';
import { headPosition } from './head-position.js';
import type { PgPool } from './pg-slice.js';
import { readAllPage } from './read-all-page.js';
import { readStream } from './read-stream.js';
import { toBatchCommand } from './to-batch-command.js';

/*
 * Why positions are gap-free and commit-ordered, and why readers never skip a late commit:
 *
 * Every append transaction first locks the single es.log_head row (SELECT ... FOR UPDATE),
 * numbers its events head+1, head+2, ..., moves the head and commits. The next writer waits on
 * that row lock, and Postgres releases it only after the commit is visible to new snapshots.
 * So positions become visible strictly in order, and a rolled-back append simply leaves the
 * head where it was for the next writer to reuse. In any snapshot the log is exactly positions
 * 1..head: a reader that reads the head and the events in one statement, and resumes after
 * the last position it scanned, can never step over an event that commits later, and never
 * sees one that rolls back.
 *
 * Nothing else in the cluster matters. Emmett's reader, by contrast, waits for
 * `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`, so any open transaction holding
 * an xid - in another schema or database, idle in transaction - stalls every subscriber.
 *
 * The price is that appends are serialized on one row. Group commit (group-commit.ts) pays
 * it once per batch of concurrent commands rather than once per command.
 */

export interface PostgresEventStoreOptions {
  readonly metrics?: {
    /**
     * After each group-commit batch that wrote events: how many, the batch's round trip in
     * seconds, and how many commands shared it (refused and replayed ones included).
     */
    onAppended?(events: number, seconds: number, commands: number): void;
    /** A batch the set-based append refused and es.append_batch then decided (append-rows.ts). */
    onRefusedRows?(): void;
  };
  /** Subscriptions re-read this often without a wake-up; default 1000 ms. */
  readonly pollMs?: number;
  /** Events per group-commit batch; default 200. */
  readonly maxBatchEvents?: number;
  /**
   * Shortest interval between the starts of two group-commit batches of several commands and
   * fewer than DEFAULT_LEAVE_AT_EVENTS events (group-commit.ts); default 0, none.
   */
  readonly batchIntervalMs?: number;
}

const DEFAULT_READ_ALL = 1000;

export function createPostgresEventStore(
  pool: PgPool,
  options: PostgresEventStoreOptions = {},
): EventStore {
  const signal = new WakeSignal();
  const listener = createAppendListener(pool, signal);
  const subscriptions = new Set<Subscription>();
  const group = createGroupCommit<BatchCommand, BatchOutcome>(
    async (commands) => {
      const started = performance.now();
      const result = await appendCommands(pool, commands, options.metrics?.onRefusedRows);
      if (result.written > 0) {
        signal.notify();
        const seconds = (performance.now() - started) / 1000;
        options.metrics?.onAppended?.(result.written, seconds, commands.length);
      }
      return result.outcomes;
    },
    { maxEvents: options.maxBatchEvents ?? 200, minIntervalMs: options.batchIntervalMs ?? 0 },
  );
  const source = {
    signal,
    pollMs: options.pollMs ?? 1000,
    readPage: (after: bigint, filter: Parameters<typeof readAllPage>[2], max: number) =>
      readAllPage(pool, after, filter, max),
  };

  const appendToStreams: EventStore['appendToStreams'] = async (appends, appendOptions = {}) => {
    validateAppends(appends);
    const command = toBatchCommand(appends, appendOptions);
    const events = appends.reduce((n, a) => n + a.events.length, 0);
    const outcome = await group.submit(command, Math.max(1, events));
    return fromBatchOutcome(outcome, appends);
  };

  return {
    name: 'postgres',
    readStream: (streamId, readOptions) => readStream(pool, streamId, readOptions),
    async aggregateStream(streamId, aggregate) {
      return foldStream(await readStream(pool, streamId), aggregate);
    },
    appendToStream: appendOneStream(appendToStreams),
    appendToStreams,
    async readAll(after, readOptions = {}) {
      const max = readOptions.maxCount ?? DEFAULT_READ_ALL;
      const page = await readAllPage(pool, after, readOptions.filter, max);
      return { events: page.events, lastPosition: page.lastPosition };
    },
    subscribe(subscribeOptions, handler) {
      listener.start();
      const wakes = listener.demand();
      const subscription = startCatchUp({ ...source, wakes }, subscribeOptions, handler);
      subscriptions.add(subscription);
      subscription.done
        .finally(() => {
          subscriptions.delete(subscription);
          wakes.release();
        })
        .catch(() => undefined);
      return subscription;
    },
    headPosition: () => headPosition(pool),
    async close() {
      await Promise.all([...subscriptions].map((s) => s.close()));
      await group.drain();
      await listener.close();
    },
  };
}
