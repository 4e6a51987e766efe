import type { EventStore, RecordedEvent } from '@techflow/platform';
import type { EventLog } from './events.js';

/**
 * Appends what an EventLog recorded to a real event store, stream by stream in order, and
 * returns the events as the store recorded them (its positions, which are what count).
 */
export async function appendLog(store: EventStore, log: EventLog): Promise<RecordedEvent[]> {
  const from = await store.headPosition();
  for (const e of log.events) {
    await store.appendToStream(
      e.streamId,
      [
        {
          eventId: e.eventId,
          type: e.type,
          version: e.version,
          data: e.data,
          metadata: {
            tenantId: e.metadata.tenantId,
            actor: e.metadata.actor,
            correlationId: e.metadata.correlationId,
            causationId: e.metadata.causationId,
            occurredAt: e.metadata.occurredAt,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
  }
  log.events.length = 0;
  return readAllAfter(store, from);
}

export async function readAllAfter(store: EventStore, after: bigint): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let at = after; ; ) {
    const { events, lastPosition } = await store.readAll(at, { maxCount: 1000 });
    out.push(...events);
    if (events.length === 0 || lastPosition === at) return out;
    at = lastPosition;
  }
}
