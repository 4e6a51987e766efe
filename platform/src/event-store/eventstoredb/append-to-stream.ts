import { jsonEvent, NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import { satisfiesExpected } from '../expected-revision.js';
import { chainHash, contentHash } from '../hash-chain.js';
import {
  type AppendResult,
  DuplicateEventId,
  type ExpectedRevision,
  ExpectedRevisionConflict,
  type NewEvent,
} from '../port.js';
import type { EsdbClient } from './esdb-client.js';
import { readStreamTail } from './read-stream.js';
import type { StoredMetadata } from './to-recorded-event.js';

/** How far back a retry looks for its own events. */
const RETRY_LOOKBACK = 4096;

/** Every id already in this stream: a retry of a committed append; some: refused. */
async function findRetry(
  client: EsdbClient,
  streamId: string,
  events: readonly NewEvent[],
): Promise<AppendResult | null> {
  if (events.length === 0) return null;
  const tail = await readStreamTail(client, streamId, RETRY_LOOKBACK);
  const stored = new Map(tail.map((e) => [e.eventId, e]));
  const found = events.flatMap((e) => stored.get(e.eventId) ?? []);
  if (found.length === 0) return null;
  if (found.length < events.length) throw new DuplicateEventId(found[0]!.eventId);
  const last = found.reduce((a, e) => (e.revision > a.revision ? e : a));
  return { streamId, nextExpectedRevision: last.revision, position: last.position };
}

/**
 * Chains the events onto the stream's last event, read first, and appends them expecting
 * exactly that revision, so the chain cannot fork. When someone else appended in between, an
 * exact or no_stream expectation is a conflict; any or stream_exists reads again and re-chains.
 */
export async function appendToStream(
  client: EsdbClient,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  head: () => Promise<bigint>,
): Promise<AppendResult> {
  for (;;) {
    const [last] = await readStreamTail(client, streamId, 1);
    const actual = last?.revision ?? null;
    if (!satisfiesExpected(expected, actual)) {
      const retry = await findRetry(client, streamId, events);
      if (retry) return retry;
      throw new ExpectedRevisionConflict(streamId, expected, actual);
    }
    if (events.length === 0) {
      return { streamId, nextExpectedRevision: actual ?? -1n, position: await head() };
    }
    let prevHash = last?.metadata.hash ?? null;
    let revision = actual ?? -1n;
    const data = events.map((event) => {
      revision++;
      const hash = chainHash(prevHash, revision, contentHash(streamId, event));
      const metadata: StoredMetadata = {
        ...event.metadata,
        version: event.version,
        prevHash,
        hash,
      };
      prevHash = hash;
      return jsonEvent({ id: event.eventId, type: event.type, data: event.data, metadata });
    });
    try {
      const result = await client.appendToStream(streamId, data, {
        expectedRevision: actual === null ? NO_STREAM : actual,
      });
      return {
        streamId,
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position?.commit ?? (await head()),
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (expected === 'any' || expected === 'stream_exists') continue;
      const retry = await findRetry(client, streamId, events);
      if (retry) return retry;
      const now = error.actualVersion;
      throw new ExpectedRevisionConflict(streamId, expected, typeof now === 'bigint' ? now : null);
    }
  }
}
