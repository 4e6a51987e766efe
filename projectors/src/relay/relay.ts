import type { NatsConnection } from '@nats-io/transport-node';
import {
  createEventPublisher,
  type EventStore,
  type RecordedEvent,
  type Subscription,
} from '@techflow/platform';
import type { Kysely } from 'kysely';
import { type Log, silentLog } from '../log.js';
import type { ProjectorMetrics } from '../metrics.js';
import { backoffMs } from '../runner/errors.js';
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
}

export interface Relay {
  start(): Promise<void>;
  /** Finishes the batch in flight (its acks and checkpoint) and stops. */
  stop(): Promise<void>;
  position(): bigint;
}

class Stopped extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Event store → JetStream, in position order, at least once, deduplicated by JetStream.
 *
 * Each batch from the store's catch-up subscription is published all at once on one
 * connection (the publishes leave in order and JetStream stores them in that order), then
 * every ack is awaited, and only then is the checkpoint saved. Killed anywhere, a restart
 * republishes at most the batch it had in flight; each message carries the event id as
 * Nats-Msg-Id, so the stream keeps one copy. If one publish of a batch fails, the whole batch
 * is published again: the ones that had landed are dropped as duplicates, and the one that
 * had not lands after its successors, which the projections' gap filling handles.
 */
export function createRelay(deps: RelayDeps, options: RelayOptions = {}): Relay {
  const name = options.name ?? 'main';
  const batchSize = options.batchSize ?? 1000;
  const timeout = options.publishTimeoutMs ?? 10_000;
  const coalesceMs = options.coalesceMs ?? 5;
  const log = deps.log ?? silentLog;
  let position = 0n;
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

  async function relayBatch(events: readonly RecordedEvent[], lastPosition: bigint) {
    if (events.length > 0) {
      await untilDone('publish', () => publisher.publishAll(events));
      deps.metrics?.relayPublished.inc(events.length);
    }
    if (lastPosition > position) {
      await untilDone('checkpoint', () => saveRelayCheckpoint(deps.db, name, lastPosition));
      position = lastPosition;
      report();
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
      publisher.close();
    },
  };
}
