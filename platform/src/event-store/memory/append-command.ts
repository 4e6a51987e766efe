import { satisfiesExpected } from '../expected-revision.js';
import { chainHash, contentHash } from '../hash-chain.js';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateEventId,
  ExpectedRevisionConflict,
  type MultiAppendOutcome,
  type RecordedEvent,
  type StreamAppend,
} from '../port.js';
import { categoryOf } from '../stream-naming.js';
import { headOf, idempotencyKey, type MemoryState } from './memory-state.js';

const lastRevision = (state: MemoryState, streamId: string) =>
  state.streams.get(streamId)?.at(-1)?.revision ?? null;

/**
 * Every event id already stored in its own stream, with the content it was stored with, means
 * a retry of a committed command: answer what the first attempt did. Checked before expected
 * revisions, which that attempt moved on; the retry must name the one that attempt was
 * checked against (its first event in each stream sits right after it).
 */
function findRetry(
  state: MemoryState,
  appends: readonly StreamAppend[],
): MultiAppendOutcome | null {
  let total = 0;
  const found: RecordedEvent[] = [];
  for (const append of appends) {
    for (const event of append.events) {
      total++;
      const stored = state.byId.get(event.eventId);
      if (!stored) continue;
      const sameEvent =
        stored.streamId === append.streamId &&
        stored.metadata.hash ===
          chainHash(stored.metadata.prevHash, stored.revision, contentHash(append.streamId, event));
      if (!sameEvent) throw new DuplicateEventId(event.eventId);
      found.push(stored);
    }
  }
  if (found.length === 0) return null;
  if (found.length < total) throw new DuplicateEventId(found[0]!.eventId);
  for (const append of appends) {
    let first: bigint | undefined;
    for (const e of found) {
      if (e.streamId === append.streamId && (first === undefined || e.revision < first)) {
        first = e.revision;
      }
    }
    if (first === undefined) continue;
    if (!satisfiesExpected(append.expectedRevision, first === 0n ? null : first - 1n)) {
      const actual = lastRevision(state, append.streamId);
      throw new ExpectedRevisionConflict(append.streamId, append.expectedRevision, actual);
    }
  }
  const head = headOf(state);
  const streams: AppendResult[] = appends.map((append) => {
    const mine = found.filter((e) => e.streamId === append.streamId);
    const last = mine.reduce<RecordedEvent | undefined>(
      (a, e) => (a && a.revision > e.revision ? a : e),
      undefined,
    );
    return {
      streamId: append.streamId,
      nextExpectedRevision: last?.revision ?? lastRevision(state, append.streamId) ?? -1n,
      position: last?.position ?? head,
    };
  });
  let position = 0n;
  for (const e of found) if (e.position > position) position = e.position;
  return { kind: 'appended', streams, position };
}

function write(state: MemoryState, append: StreamAppend, recordedAt: string): void {
  const stream = state.streams.get(append.streamId) ?? [];
  for (const event of append.events) {
    const previous = stream.at(-1);
    const revision = previous ? previous.revision + 1n : 0n;
    const prevHash = previous?.metadata.hash ?? null;
    const recorded: RecordedEvent = {
      eventId: event.eventId,
      streamId: append.streamId,
      category: categoryOf(append.streamId),
      revision,
      position: headOf(state) + 1n,
      type: event.type,
      version: event.version,
      data: structuredClone(event.data),
      metadata: {
        tenantId: event.metadata.tenantId,
        actor: event.metadata.actor,
        correlationId: event.metadata.correlationId,
        causationId: event.metadata.causationId,
        occurredAt: event.metadata.occurredAt,
        prevHash,
        hash: chainHash(prevHash, revision, contentHash(append.streamId, event)),
      },
      recordedAt,
    };
    stream.push(recorded);
    state.log.push(recorded);
    state.byId.set(recorded.eventId, recorded);
  }
  if (stream.length > 0) state.streams.set(append.streamId, stream);
}

function writeCommand(state: MemoryState, appends: readonly StreamAppend[]): MultiAppendOutcome {
  for (const append of appends) {
    const actual = lastRevision(state, append.streamId);
    if (!satisfiesExpected(append.expectedRevision, actual)) {
      throw new ExpectedRevisionConflict(append.streamId, append.expectedRevision, actual);
    }
  }
  const recordedAt = new Date().toISOString();
  for (const append of appends) write(state, append, recordedAt);
  const head = headOf(state);
  const streams = appends.map((append) => {
    const last = state.streams.get(append.streamId)?.at(-1);
    return {
      streamId: append.streamId,
      nextExpectedRevision: last?.revision ?? -1n,
      position: append.events.length > 0 && last ? last.position : head,
    };
  });
  return { kind: 'appended', streams, position: head };
}

/** One command, all or nothing, with the same outcomes as the Postgres append function. */
export function appendCommand(
  state: MemoryState,
  appends: readonly StreamAppend[],
  options: AppendOptions,
): MultiAppendOutcome {
  const idem = options.idempotency;
  const key = idem ? idempotencyKey(idem.scope, idem.key) : null;
  const remembered = key === null ? undefined : state.idempotency.get(key);
  if (remembered) return { kind: 'replayed', ...remembered };
  const outcome = findRetry(state, appends) ?? writeCommand(state, appends);
  if (idem && key !== null) {
    const wrote = appends.some((a) => a.events.length > 0);
    state.idempotency.set(key, {
      record: structuredClone(idem),
      position: wrote ? outcome.position : null,
    });
  }
  return outcome;
}
