import { BACKWARDS, END, FORWARDS, StreamNotFoundError } from '@eventstore/db-client';
import type { ReadStreamOptions, RecordedEvent } from '../port.js';
import type { EsdbClient } from './esdb-client.js';
import { toRecordedEvent } from './to-recorded-event.js';

export async function readStream(
  client: EsdbClient,
  streamId: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    const read = client.readStream(streamId, {
      fromRevision: options.fromRevision ?? 0n,
      direction: FORWARDS,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    for await (const resolved of read) {
      const event = resolved.event && toRecordedEvent(resolved.event);
      if (!event) continue;
      if (options.toRevision !== undefined && event.revision > options.toRevision) break;
      events.push(event);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}

/** The stream's newest events, newest first; empty when it does not exist. */
export async function readStreamTail(
  client: EsdbClient,
  streamId: string,
  maxCount: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    const read = client.readStream(streamId, { fromRevision: END, direction: BACKWARDS, maxCount });
    for await (const resolved of read) {
      const event = resolved.event && toRecordedEvent(resolved.event);
      if (event) events.push(event);
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return events;
}
