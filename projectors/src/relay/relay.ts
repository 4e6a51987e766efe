import type { NatsConnection } from '@nats-io/transport-node';
import {
  backoffMs,
  createEventPublisher,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@techflow/platform';
import type { Kysely } from 'kysely';
import { type Log, silentLog } from '../log.js';
import type { ProjectorMetrics } from '../metrics.js';
import { loadRelayCheckpoint, type RelaySchema, saveRelayCheckpoint } from './checkpoint.js';

export interface RelayDeps {
  readonly db: Kysely<RelaySchema>;
  readonly eventStore: Pick<EventStore, 'subscribe' | 'headPosition'>;
  readonly nc: NatsConnection;
  readonly subjectPrefix: string;
  readonly metrics?: ProjectorMetrics;
  readonly log?: Log;
}

export interface RelayOptions {
  /** Its checkpoint row; default 'main'. */
  readonly name?: string;
  /** Events per subscription batch, all published at once; default 1000. */
  readonly batchSize?: number;
  /** How long a batch's acks may take before it is published again; default 10 s. */
  readonly publishTimeoutMs?: number;
  /** Shortest interval between two reads once caught up (SubscribeOptions); default 5 ms. */
  readonly coalesceMs?: number;
  /**
   * The checkpoint is written at most this often (and on stop); default 200 ms. A restart
   * then republishes at most what was acknowledged since the last write, which JetStream
   * drops as duplicates (Nats-Msg-Id, 10-minute window); a write per batch cost Postgres a
   * statement per few milliseconds under a steady load.
   */
  readonly checkpointEveryMs?: number;
}

export interface Relay {
  start(): Promise<void>;
  /** Finishes the batch in flight, writes the checkpoint and stops. */
  stop(): Promise<void>;
  /** Published and acknowledged up to here (the written checkpoint may trail it). */
  position(): bigint;
}

class Stopped extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Event store → JetStream, in position order, at least once, deduplicated by JetStream.
 *
 * Each batch from the store's catch-up subscription is published all at once on one
 * connection (the publishes leave in order and JetStream stores them in that order), then
 * every ack is awaited, and only then may the checkpoint move there (written at most every
 * `checkpointEveryMs`). Killed anywhere, a restart republishes at most what was acknowledged
 * since the last write plus the batch in flight; each message carries the event id as
 * Nats-Msg-Id, so the stream keeps one copy. If one publish of a batch fails, the whole batch
 * is published again: the ones that had landed are dropped as duplicates, and the one that
 * had not lands after its successors, which the projections' gap filling handles.
 */
export function createRelay(deps: RelayDeps, options: RelayOptions = {}): Relay {
  const name = options.name ?? 'main';
  const batchSize = options.batchSize ?? 1000;
  const timeout = options.publishTimeoutMs ?? 10_000;
  const coalesceMs = options.coalesceMs ?? 5;
  const checkpointEveryMs = options.checkpointEveryMs ?? 200;
  const log = deps.log ?? silentLog;
  /** Acknowledged by JetStream up to here; the saved checkpoint may trail it. */
  let position = 0n;
  let saved = 0n;
  let savedAt = 0;
  let saving: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | null = null;
  let running = false;
  let subscription: Subscription | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let supervisor: Promise<void> = Promise.resolve();

  const report = (head?: bigint) => {
    deps.metrics?.relayPosition.set(Number(position));
    if (head !== undefined)
      deps.metrics?.relayLag.set(Number(head > position ? head - position : 0n));
  };

  const publisher = createEventPublisher(deps.nc, deps.subjectPrefix, { timeoutMs: timeout });

  async function untilDone<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (!running && attempt > 0) throw new Stopped();
      try {
        return await work();
      } catch (e) {
        log.warn(
          { err: e instanceof Error ? e.message : String(e), attempt },
          `relay: ${what} failed`,
        );
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** Writes the acknowledged position; calls are chained, so a write never goes backwards. */
  function saveCheckpoint(): Promise<void> {
    saving = saving
      .catch(() => undefined)
      .then(async () => {
        const target = position;
        if (target <= saved) return;
        await untilDone('checkpoint', () => saveRelayCheckpoint(deps.db, name, target));
        saved = target;
        savedAt = performance.now();
      });
    return saving;
  }

  async function relayBatch(events: readonly RecordedEvent[], lastPosition: bigint) {
    if (events.length > 0) {
      await untilDone('publish', () => publisher.publishAll(events));
      deps.metrics?.relayPublished.inc(events.length);
    }
    if (lastPosition <= position) return;
    position = lastPosition;
    report();
    const due = savedAt + checkpointEveryMs - performance.now();
    if (due <= 0) {
      await saveCheckpoint();
    } else if (!flushTimer) {
      // Nothing may follow this batch for a while: write it then anyway.
      flushTimer = setTimeout(() => {
        flushTimer = null;
        saveCheckpoint().catch(() => undefined);
      }, due);
    }
  }

  /** Keeps a subscription open from the checkpoint, reopening it if it fails. */
  async function supervise() {
    for (let attempt = 0; running; attempt++) {
      const sub = deps.eventStore.subscribe({ from: position, batchSize, coalesceMs }, (batch) =>
        relayBatch(batch.events, batch.lastPosition),
      );
      subscription = sub;
      try {
        await sub.done;
        return;
      } catch (e) {
        if (e instanceof Stopped || !running) return;
        log.warn({ err: e instanceof Error ? e.message : String(e) }, 'relay: subscription failed');
        await sleep(backoffMs(attempt));
      }
    }
  }

  return {
    position: () => position,

    async start() {
      position = await loadRelayCheckpoint(deps.db, name);
      saved = position;
      running = true;
      report();
      supervisor = supervise();
      ticker = setInterval(() => {
        deps.eventStore
          .headPosition()
          .then((h) => report(h))
          .catch(() => undefined);
      }, 1000);
      ticker.unref();
    },

    async stop() {
      running = false;
      if (ticker) clearInterval(ticker);
      await subscription?.close().catch(() => undefined);
      await supervisor;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      await saveCheckpoint().catch(() => undefined);
      publisher.close();
    },
  };
}
