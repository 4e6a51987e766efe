import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { NewEvent, RecordedEvent } from './port.js';
import { categoryOf } from './stream-naming.js';

export { canonicalJson };

/**
 * The per-stream hash chain. Each event's `hash` covers its canonical content and the previous
 * event's hash, so editing, dropping or reordering an event within its stream breaks every
 * later link. What it does not cover by itself: the columns stored beside the content for
 * routing (category, tenant) and the global position, which verifyChain checks against the
 * content and the reader's expectations, and the end of a stream: dropping its last events
 * leaves a shorter chain that verifies, unless checked against a head recorded earlier.
 *
 * The link is plain enough to compute in SQL as well (`sha256(convert_to(prev|rev|content))`),
 * which lets the Postgres adapter chain events inside its append function from the content
 * hash the client sends, without reading the previous hash first.
 */

// crypto.hash: one call, no Hash object (a quarter of createHash's cost for these short texts).
const sha256hex = (text: string) => hash('sha256', text, 'hex');

/** sha256 hex of the event's canonical content: what it says, not where the chain put it. */
export function contentHash(streamId: string, event: NewEvent): string {
  const m = event.metadata;
  return sha256hex(
    canonicalJson({
      eventId: event.eventId,
      streamId,
      type: event.type,
      version: event.version,
      data: event.data,
      metadata: {
        tenantId: m.tenantId,
        actor: m.actor,
        correlationId: m.correlationId,
        causationId: m.causationId,
        occurredAt: m.occurredAt,
      },
    }),
  );
}

/** One link: sha256 hex of `${prevHash ?? ''}|${revision}|${contentHash}`. */
export function chainHash(prevHash: string | null, revision: bigint, content: string): string {
  return sha256hex(`${prevHash ?? ''}|${revision}|${content}`);
}

export interface ChainFailure {
  readonly streamId: string;
  readonly revision: bigint;
  readonly reason:
    | 'revision_gap'
    | 'prev_hash_mismatch'
    | 'hash_mismatch'
    /** Its category is not its stream's, or its hashed tenant is not the one read for. */
    | 'misrouted'
    /** A recorded head's event is missing: the stream was cut short (or not read that far). */
    | 'truncated'
    /** The event at a recorded head has another hash: the chain was rewritten since. */
    | 'head_mismatch';
}

/** A stream's last revision and hash, as an auditor recorded them at some moment. */
export interface ChainHead {
  readonly revision: bigint;
  readonly hash: string;
}

export interface ChainExpectations {
  /** The tenant the events were read for (a tenant filter): each must say so in its content. */
  readonly tenantId?: string;
  /** Heads recorded earlier: each stream must still reach its head with the same hash. */
  readonly heads?: ReadonlyMap<string, ChainHead>;
}

/**
 * Checks every stream's chain in `events` (any order, any number of streams). A stream read
 * from revision 0 must start with prevHash null; one read from later trusts its first event's
 * prevHash as the anchor, so a range can be verified without its history.
 */
export function verifyChain(
  events: readonly RecordedEvent[],
  expect: ChainExpectations = {},
): ChainFailure[] {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId);
    if (list) list.push(e);
    else byStream.set(e.streamId, [e]);
  }
  const failures: ChainFailure[] = [];
  for (const [streamId, list] of byStream) {
    list.sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0));
    let previous: RecordedEvent | null = null;
    for (const e of list) {
      const fail = (reason: ChainFailure['reason']) =>
        failures.push({ streamId, revision: e.revision, reason });
      if (previous && e.revision !== previous.revision + 1n) fail('revision_gap');
      const expectedPrev = previous ? previous.metadata.hash : e.revision === 0n ? null : undefined;
      if (expectedPrev !== undefined && e.metadata.prevHash !== expectedPrev) {
        fail('prev_hash_mismatch');
      }
      const recomputed = chainHash(e.metadata.prevHash, e.revision, contentHash(streamId, e));
      if (e.metadata.hash !== recomputed) fail('hash_mismatch');
      if (
        e.category !== categoryOf(streamId) ||
        (expect.tenantId !== undefined && e.metadata.tenantId !== expect.tenantId)
      ) {
        fail('misrouted');
      }
      previous = e;
    }
  }
  for (const [streamId, head] of expect.heads ?? []) {
    const atHead = byStream.get(streamId)?.find((e) => e.revision === head.revision);
    if (!atHead) failures.push({ streamId, revision: head.revision, reason: 'truncated' });
    else if (atHead.metadata.hash !== head.hash) {
      failures.push({ streamId, revision: head.revision, reason: 'head_mismatch' });
    }
  }
  return failures;
}
