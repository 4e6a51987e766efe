import type { Decider, DomainEvent } from '@techflow/domain';
import { isDomainError, parseStreamName } from '@techflow/domain';
import type {
  EventMetadata,
  EventStore,
  IdempotencyRecord,
  JsonObject,
  MultiAppendOutcome,
  NewEvent,
} from '@techflow/platform';
import { ExpectedRevisionConflict } from '@techflow/platform';
import {
  HttpProblem,
  idempotencyKeyReused,
  idempotencyRecord,
  type PendingIdempotency,
  problem,
  problemFromDomain,
} from '@techflow/platform/http';
import { AggregateCache, type CachedAggregate } from './aggregate-cache.js';
import type { CommandMetrics } from './command-metrics.js';
import { toJsonObject } from './json.js';
import { KeyedQueue } from './keyed-queue.js';

/** Who asked and why: copied onto every event the command appends. */
export interface CommandMeta {
  readonly tenantId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string | null;
}

/** A command's accepted answer before its position is known. */
export interface Answer {
  readonly status: number;
  readonly body: JsonObject;
}

export interface CommandRequest<C, E, S> {
  readonly streamId: string;
  readonly command: C;
  readonly meta: CommandMeta;
  readonly idempotency?: PendingIdempotency | undefined;
  /** The success answer, from the decided events and the state they were decided on. */
  readonly answer: (events: readonly E[], state: S) => Answer;
}

/** What the route sends: a body that already carries `position` (or a remembered problem). */
export interface CommandResult {
  readonly status: number;
  readonly body: JsonObject;
  /** Answered from an Idempotency-Key's record rather than decided now. */
  readonly replayed: boolean;
}

export interface CommandHandlerOptions {
  readonly eventStore: EventStore;
  readonly metrics: CommandMetrics;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** Aggregates kept in memory per decider; 0 turns the cache off. */
  readonly cacheSize?: number;
  /** Appends retried after an expected-revision conflict before answering 409. */
  readonly maxRetries?: number;
}

export interface CommandHandler<C, E, S> {
  handle(request: CommandRequest<C, E, S>): Promise<CommandResult>;
  /** The aggregate as the handler sees it (cache, else the stream). */
  load(streamId: string): Promise<CachedAggregate<S>>;
}

const positionOf = (p: bigint | null): string => String(p ?? 0n);

/**
 * Load, decide, append with the expected revision, retry on conflict: the one way commands
 * run. Answers only after the commit. With an Idempotency-Key the answer is remembered in the
 * same commit as the events (a refused command remembers its problem with zero events), and
 * the append itself says when the key was already used, so there is no extra lookup.
 */
export function createCommandHandler<C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  options: CommandHandlerOptions,
): CommandHandler<C, E, S> {
  const { eventStore, metrics, clock, newId } = options;
  const cache = new AggregateCache<S>(options.cacheSize ?? 10_000);
  const queue = new KeyedQueue();
  const maxRetries = options.maxRetries ?? 5;
  const category = decider.category;

  const loadFromStore = async (streamId: string): Promise<CachedAggregate<S>> => {
    const loaded = await eventStore.aggregateStream<S, E>(streamId, decider);
    return { state: loaded.state, revision: loaded.revision, position: loaded.lastPosition };
  };
  const load = async (streamId: string): Promise<CachedAggregate<S>> =>
    cache.get(streamId) ?? loadFromStore(streamId);

  const toNewEvent = (event: E, meta: CommandMeta, occurredAt: string): NewEvent => {
    const metadata: EventMetadata = { ...meta, occurredAt };
    return {
      eventId: newId(),
      type: event.type,
      version: event.version,
      data: toJsonObject(event.data, `${event.type} data`),
      metadata,
    };
  };

  const replay = (
    pending: PendingIdempotency,
    outcome: Extract<MultiAppendOutcome, { kind: 'replayed' }>,
  ): CommandResult => {
    const { record } = outcome;
    if (record.requestHash !== pending.requestHash) throw idempotencyKeyReused();
    // Successful answers are stored without position (unknown before the commit): the store
    // keeps the position of what that commit wrote.
    const withPosition =
      record.status < 400 && !('position' in record.body) && outcome.position !== null
        ? { ...record.body, position: String(outcome.position) }
        : record.body;
    return { status: record.status, body: withPosition, replayed: true };
  };

  /**
   * A refused command under an Idempotency-Key: remember the problem, append nothing. At the
   * revision it was decided on, so a stream that moved since is a conflict and the command is
   * decided again, rather than a stale refusal remembered for the key's lifetime.
   */
  const rememberRefusal = async (
    request: CommandRequest<C, E, S>,
    pending: PendingIdempotency,
    refusal: HttpProblem,
    decidedOn: CachedAggregate<S>,
  ): Promise<CommandResult> => {
    const record = idempotencyRecord(pending, refusal.statusCode, { ...refusal.toBody() });
    const outcome = await eventStore.appendToStreams(
      [
        {
          streamId: request.streamId,
          events: [],
          expectedRevision: decidedOn.revision ?? 'no_stream',
        },
      ],
      { idempotency: record },
    );
    if (outcome.kind === 'replayed') return replay(pending, outcome);
    throw refusal;
  };

  /**
   * `fresh`: decide on the stream as stored, not on the cache. An append catches a stale cached
   * state (its expected revision), but a refusal or a no-op appends nothing without a key: a
   * cached state that another instance has moved on would refuse a withdrawal its deposit
   * covers. So those two answers, decided on a cached state, are decided again on the store.
   */
  const attempt = async (
    request: CommandRequest<C, E, S>,
    fresh = false,
  ): Promise<CommandResult> => {
    const { streamId, idempotency } = request;
    const cached = fresh ? undefined : cache.get(streamId);
    const current = cached ?? (await loadFromStore(streamId));
    const again = () => {
      cache.delete(streamId);
      return attempt(request, true);
    };
    const now = clock();
    let events: E[];
    try {
      events = decider.decide(request.command, current.state, { now: now.toISOString(), newId });
    } catch (error) {
      if (!isDomainError(error)) throw error;
      if (cached) return again();
      const refusal = problemFromDomain(error.code, error.message);
      if (!idempotency) throw refusal;
      return rememberRefusal(request, idempotency, refusal, current);
    }
    if (events.length === 0 && cached) return again();
    const answer = request.answer(events, current.state);
    if (events.length === 0 && !idempotency) {
      // Already done (a retried creation): nothing to write, the stream's position answers.
      const body = { ...answer.body, position: positionOf(current.position) };
      return { status: answer.status, body, replayed: false };
    }
    const record: IdempotencyRecord | undefined = idempotency
      ? idempotencyRecord(
          idempotency,
          answer.status,
          events.length === 0
            ? { ...answer.body, position: positionOf(current.position) }
            : answer.body,
        )
      : undefined;
    const occurredAt = now.toISOString();
    const outcome = await eventStore.appendToStreams(
      [
        {
          streamId,
          events: events.map((e) => toNewEvent(e, request.meta, occurredAt)),
          expectedRevision: current.revision ?? 'no_stream',
        },
      ],
      record ? { idempotency: record } : {},
    );
    if (outcome.kind === 'replayed' && idempotency) return replay(idempotency, outcome);
    if (outcome.kind === 'replayed') throw new Error('replayed without an idempotency key');
    if (events.length === 0) {
      return {
        status: answer.status,
        body: { ...answer.body, position: positionOf(current.position) },
        replayed: false,
      };
    }
    const appended = outcome.streams[0];
    metrics.eventsAppended.inc({ category }, events.length);
    cache.set(streamId, {
      state: events.reduce(decider.evolve, current.state),
      revision: appended?.nextExpectedRevision ?? null,
      position: outcome.position,
    });
    return {
      status: answer.status,
      body: { ...answer.body, position: String(outcome.position) },
      replayed: false,
    };
  };

  const run = async (request: CommandRequest<C, E, S>): Promise<CommandResult> => {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(request);
      } catch (error) {
        // A refusal leaves the aggregate as it was; anything else may have left the cached
        // entry stale or unknown (a conflict, a commit whose answer was lost): drop it.
        if (error instanceof HttpProblem) throw error;
        cache.delete(request.streamId);
        if (!(error instanceof ExpectedRevisionConflict)) throw error;
        metrics.conflicts.inc({ category });
        if (retry >= maxRetries) {
          metrics.retriesExhausted.inc({ category });
          throw problem('concurrency_conflict', 'The resource kept changing; try again');
        }
      }
    }
  };

  return {
    load,
    handle: (request) => {
      // The store files an event under its metadata's tenant (tenant filters, per-tenant read
      // models): a stream of one tenant written with another's metadata would put its events
      // in the wrong tenant's history. Routes build both from the principal; this keeps it so.
      if (parseStreamName(request.streamId)?.tenantId !== request.meta.tenantId) {
        return Promise.reject(
          new Error(`stream ${request.streamId} is not tenant ${request.meta.tenantId}'s`),
        );
      }
      const started = process.hrtime.bigint();
      const commandName = commandNameOf(request.command);
      return queue
        .run(request.streamId, () => run(request))
        .then(
          (result) => {
            observe(metrics, commandName, started, result.replayed ? 'replayed' : 'accepted');
            return result;
          },
          (error: unknown) => {
            observe(metrics, commandName, started, 'refused');
            throw error;
          },
        );
    },
  };
}

const commandNameOf = (command: unknown): string =>
  typeof command === 'object' && command !== null && 'type' in command
    ? String(command.type)
    : 'unknown';

const observe = (metrics: CommandMetrics, command: string, started: bigint, outcome: string) => {
  metrics.duration.observe({ command, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
};
