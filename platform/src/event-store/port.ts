/**
 * The event store port. Every adapter (memory, PostgreSQL, EventStoreDB) implements it and
 * passes the suite in contract.ts. Positions and revisions are bigint; JSON carries them as
 * decimal strings.
 */

/** A JSON value as events carry it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Who did it and why, on every event. */
export interface EventMetadata {
  readonly tenantId: string;
  /** `user:<id>`, `apikey:<id>` or `system:<component>`. */
  readonly actor: string;
  /** Shared by every event a single request caused, end to end. */
  readonly correlationId: string;
  /** The id of the request or event that caused this one; null for a user's first command. */
  readonly causationId: string | null;
  /** ISO-8601 instant the command was decided. */
  readonly occurredAt: string;
}

/** What a writer hands to append. */
export interface NewEvent {
  /** Appending the same id again is a no-op, not a duplicate. */
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
}

/** The per-stream hash chain: hash covers the canonical event and the previous hash. */
export interface ChainedMetadata extends EventMetadata {
  readonly prevHash: string | null;
  readonly hash: string;
}

export interface RecordedEvent {
  readonly eventId: string;
  readonly streamId: string;
  /** The stream's category: the part of streamId before the first `-`. */
  readonly category: string;
  /** 0-based position of the event within its stream. */
  readonly revision: bigint;
  /** Global position in the store's single ordered log; gap-free in the Postgres adapter. */
  readonly position: bigint;
  readonly type: string;
  readonly version: number;
  readonly data: JsonObject;
  readonly metadata: ChainedMetadata;
  /** When the store committed it (ISO-8601). */
  readonly recordedAt: string;
}

/**
 * `no_stream`: the stream must not exist. `stream_exists`: it must. `any`: no check.
 * A bigint: the stream's last revision must be exactly this.
 */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  readonly streamId: string;
  /** The stream's last revision after the append: pass it as the next expectedRevision. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event appended (or already present, for an idempotent no-op). */
  readonly position: bigint;
}

export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

/**
 * A response remembered under an `Idempotency-Key`, written in the same commit as the
 * command's events, so an answered command and its remembered answer are never apart.
 */
export interface IdempotencyRecord {
  /** Usually the tenant id: keys are unique within a scope. */
  readonly scope: string;
  readonly key: string;
  /** Hash of method, path and canonical body: the same key with another body is refused. */
  readonly requestHash: string;
  readonly status: number;
  readonly body: JsonObject;
}

export interface AppendOptions {
  readonly idempotency?: IdempotencyRecord;
}

export type MultiAppendOutcome =
  | {
      readonly kind: 'appended';
      readonly streams: readonly AppendResult[];
      /** Position of the last event written (the store's head when nothing was written). */
      readonly position: bigint;
    }
  | {
      /** The idempotency key was already used: nothing was written; this is what it stored. */
      readonly kind: 'replayed';
      readonly record: IdempotencyRecord;
      readonly position: bigint | null;
    };

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default 0. */
  readonly fromRevision?: bigint;
  /** Last revision to read (inclusive). */
  readonly toRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllFilter {
  readonly tenantId?: string;
  readonly categories?: readonly string[];
  readonly types?: readonly string[];
}

export interface ReadAllOptions {
  readonly filter?: ReadAllFilter;
  /** Default 1000. */
  readonly maxCount?: number;
}

export interface ReadAllBatch {
  /** Events with position > `after`, in position order, matching the filter. */
  readonly events: readonly RecordedEvent[];
  /**
   * The position up to which the log was scanned (>= the last event's position). A filtered
   * reader resumes from here, so it moves on even when nothing matched.
   */
  readonly lastPosition: bigint;
}

export interface AggregateOptions<S, E> {
  readonly initialState: () => S;
  readonly evolve: (state: S, event: E) => S;
  /** Turns a recorded event into the domain's event; default `{ type, version, data }`. */
  readonly map?: (event: RecordedEvent) => E;
}

export interface AggregateResult<S> {
  readonly state: S;
  /** null when the stream does not exist. */
  readonly revision: bigint | null;
  /** Position of the stream's last event, null when it does not exist. */
  readonly lastPosition: bigint | null;
}

export interface SubscribeOptions {
  /** Deliver events with position > from. */
  readonly from: bigint;
  readonly filter?: ReadAllFilter;
  readonly batchSize?: number;
  /**
   * Once caught up, a wake-up waits until this long after the previous read began before
   * reading again (default 0). Under a steady trickle of commits this turns one read and
   * one handler call per commit into one per interval carrying all of them: each costs
   * round trips and process wake-ups, so batching them is what keeps a busy system's CPU for
   * the work itself, at the price of up to this much latency.
   */
  readonly coalesceMs?: number;
}

export interface Subscription {
  /** Resolves once the handler's current batch has finished; no batch starts after. */
  close(): Promise<void>;
  /** Rejects if the handler threw (the subscription then stops). */
  readonly done: Promise<void>;
}

/**
 * Called with each batch in position order; the next batch waits until it resolves.
 * `lastPosition` is where the batch's scan ended (see ReadAllBatch).
 */
export type SubscriptionHandler = (batch: ReadAllBatch) => Promise<void>;

export interface EventStore {
  readonly name: string;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  aggregateStream<S, E>(
    streamId: string,
    options: AggregateOptions<S, E>,
  ): Promise<AggregateResult<S>>;
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /**
   * Appends to several streams in one commit, each with its own expected revision, all or
   * nothing. Throws ExpectedRevisionConflict naming the first stream whose check failed.
   */
  appendToStreams(
    appends: readonly StreamAppend[],
    options?: AppendOptions,
  ): Promise<MultiAppendOutcome>;
  readAll(after: bigint, options?: ReadAllOptions): Promise<ReadAllBatch>;
  /** Catch-up subscription: reads from `from`, then follows new commits as they land. */
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Position of the last committed event (0n when empty). */
  headPosition(): Promise<bigint>;
  /** Stops subscriptions and releases what the adapter opened itself (not a pool it was given). */
  close(): Promise<void>;
}

/** The only error a command handler retries: someone else wrote to the stream first. */
export class ExpectedRevisionConflict extends Error {
  override readonly name = 'ExpectedRevisionConflict';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | null,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/**
 * An event id already stored in another stream, or an append mixing stored and new ids.
 * Re-appending ids already stored in the same stream is a retry: a no-op returning the first
 * positions (content is not compared: a re-decided retry differs in occurredAt).
 */
export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId';
  constructor(readonly eventId: string) {
    super(`event ${eventId} already exists elsewhere`);
  }
}

/**
 * The store could not be reached for a read (EventStoreDB's transport failures; the Postgres
 * adapter's are pg errors, which isTransient knows): nothing was read, and reading again later
 * is safe. Readers such as the projection runner wait it out like a database blip.
 */
export class EventStoreUnavailable extends Error {
  override readonly name = 'EventStoreUnavailable';
}
