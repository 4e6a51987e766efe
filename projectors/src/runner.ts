import type {
  Consumer,
  ConsumerMessages,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
} from '@nats-io/jetstream';
import {
  backoffMs,
  decodeEvent,
  EventHeaders,
  type EventStore,
  isTransient,
  type RecordedEvent,
} from '@techflow/platform';
import type { Kysely } from 'kysely';
import { type Log, silentLog } from './log.js';
import type { ProjectorMetrics } from './metrics.js';
import type { Projection, ReadModelDatabase } from './projection.js';
import {
  advanceCheckpoint,
  checkpointMove,
  loadCheckpoint,
  readCheckpoint,
  resetIfOtherVersion,
  setStatus,
} from './runner/checkpoints.js';
import { durableName, ensureProjectionConsumer } from './runner/consumer.js';
import { deadLetter, describeError } from './runner/dead-letters.js';
import { createDeferredAcks } from './runner/deferred-acks.js';
import { replayHeldTenants } from './runner/held-tenant-replay.js';
import { holdTenant, loadHeldTenants } from './runner/held-tenants.js';

export interface RunnerOptions {
  /** Most events applied in one transaction; default 1000. */
  readonly maxBatch?: number;
  /** Non-transient failures of a batch before its events are tried one by one; default 3. */
  readonly maxAttempts?: number;
  /**
   * Read the event store directly when starting and whenever no message has come for
   * `idleMs` while the store is ahead (default true). Catches up without waiting for
   * JetStream to redeliver what a killed predecessor held (ack wait) and heals a lost tail.
   */
  readonly catchUpFromStore?: boolean;
  /** Default 250 ms. */
  readonly idleMs?: number;
  /**
   * Shortest interval between the starts of two batches that are not full; default 5 ms.
   * Under a steady trickle, one commit per interval carries every event that arrived in it
   * instead of one commit per message or two.
   */
  readonly coalesceMs?: number;
  /**
   * Acks are sent at most this often (default 100 ms), or at once when maxBatch messages
   * wait for one. Acks only keep JetStream from redelivering (the checkpoint in Postgres
   * decides what is applied), and ack_wait is 30 s; one ack per applied batch cost the NATS
   * server 2 points of a core at 500 commands+reads/s (14% against 12%).
   */
  readonly ackEveryMs?: number;
  /**
   * Events per page and per transaction when reading the store directly; default 10,000.
   * Larger than maxBatch: a backlog is applied with fewer commits and round trips, and a batch
   * folds every event of an account into one row update, so Postgres's work per event falls
   * as batches grow (measured on the 200,000-event bench backlog over 2,000 accounts: 2,000
   * → 14,000 events/s, 5,000 → 23,000, 20,000 → 32,000–36,000). Not 20,000: a page is held
   * twice (the next one is read while this one is applied), and at 20,000 the process's
   * peak RSS reached 189–205 MiB against 170–172 at 10,000, for 4–5% of the rate.
   */
  readonly catchUpBatch?: number;
  /**
   * How many tenants the projection may hold back (default 25). An event that cannot be
   * applied holds back its tenant: the tenant's events are skipped, and its reads stay at the
   * last complete position, while every other tenant goes on, until a replay (at start and
   * every heldRetryMs) applies them. Past this many, the cause is unlikely to be the tenants'
   * own events, and the projection fails at the next one as a whole; 0 fails it at the first.
   */
  readonly maxHeldTenants?: number;
  /**
   * While tenants stay held, their replay is tried again this often (default 5 minutes), as
   * well as at every start: a cause that went away (a deploy with the fix, a lock that timed
   * out) releases them without anyone restarting anything.
   */
  readonly heldRetryMs?: number;
}

export interface RunnerDeps {
  readonly db: Kysely<ReadModelDatabase>;
  readonly eventStore: Pick<EventStore, 'readAll' | 'headPosition'>;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly metrics?: ProjectorMetrics;
  readonly log?: Log;
}

export type RunnerStatus = 'starting' | 'rebuilding' | 'running' | 'stopped' | 'failed';

export interface ProjectionRunner {
  readonly name: string;
  start(): Promise<void>;
  /** Finishes the batch in flight, commits it, and stops. */
  stop(): Promise<void>;
  status(): {
    status: RunnerStatus;
    position: bigint;
    lastError: string | null;
    /** Tenants held back after an event of theirs could not be applied. */
    heldTenants: number;
  };
  /** Resolves once the runner has stopped or failed. */
  readonly done: Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TRANSIENT_PAUSE_MS = 500;

class Stopped extends Error {}
/** The batch was not written: the checkpoint had moved (see outOfStep); go on from it. */
class OutOfStep extends Error {}

interface Received {
  readonly msg: JsMsg;
  readonly event: RecordedEvent | null;
}

/**
 * Keeps one projection up to date: a durable JetStream pull consumer feeds a queue; the loop
 * takes what is queued (up to maxBatch), drops what the checkpoint already covers, fills
 * holes from the event store, and applies each batch and its checkpoint in one transaction,
 * then acks. Fetching continues while a batch is applied, so NATS and Postgres work in
 * parallel. On the Postgres store positions are gap-free, so only a missing or late message
 * makes a hole; on EventStoreDB (commit positions, with gaps) every batch looks like one and
 * is read from the store, which costs a read per batch but is never wrong.
 */
export function createProjectionRunner(
  deps: RunnerDeps,
  projection: Projection,
  options: RunnerOptions = {},
): ProjectionRunner {
  const { db, eventStore, metrics } = deps;
  const log = deps.log ?? silentLog;
  const maxBatch = options.maxBatch ?? 1000;
  const maxAttempts = options.maxAttempts ?? 3;
  const storeCatchUp = options.catchUpFromStore ?? true;
  const idleMs = options.idleMs ?? 250;
  const coalesceMs = options.coalesceMs ?? 5;
  const ackEveryMs = options.ackEveryMs ?? 100;
  const catchUpBatch = Math.max(options.catchUpBatch ?? 10_000, maxBatch);
  const maxHeldTenants = options.maxHeldTenants ?? 25;
  const heldRetryMs = options.heldRetryMs ?? 300_000;
  const handles = new Set(projection.handles);
  const labels = { projection: projection.name };

  let status: RunnerStatus = 'starting';
  let lastError: string | null = null;
  let position = 0n;
  /**
   * Held tenants (their events are skipped), each with the position through which its read
   * model is complete, and the generation of that set in the checkpoint row (see
   * runner/held-tenants.ts).
   */
  let held = new Map<string, bigint>();
  let heldGeneration = 0n;
  /** The generation the last batch was built with (what its compare-and-set checked). */
  let batchGeneration = 0n;
  /** The background replay of held tenants, while it runs (stop waits for it). */
  let replaying: Promise<void> | null = null;
  let replayTimer: NodeJS.Timeout | null = null;
  let running = false;
  let lastMessageAt = Date.now();
  let batchStartedAt = 0;
  let head = 0n;
  /**
   * How far the store has been read with nothing left in it to apply. Beyond `position` when
   * the log's last records are no events of ours (EventStoreDB's system records): the head is
   * there, and `position`, which only events move, never gets to it.
   */
  let scanned = 0n;
  const caughtUpTo = () => (scanned > position ? scanned : position);
  /** While rebuilding: the store's head when the rebuild (re)started; reaching it ends it. */
  let rebuildUntil: bigint | null = null;
  /** Set when other code owns the read model: this runner then writes nothing, not even status. */
  let fencedOut = false;
  let stopRequested = false;
  /** start()'s work, which stop() lets finish before stopping what it started. */
  let starting: Promise<void> | null = null;
  let loopStarted = false;
  const queue: Received[] = [];
  let wake: (() => void) | null = null;
  /** Resolves when the queue has room again (or the runner stops or catch-up ends). */
  let roomWaiter: (() => void) | null = null;
  const signalRoom = () => {
    const w = roomWaiter;
    roomWaiter = null;
    w?.();
  };
  // Pulls wait while the store catch-up runs: what JetStream would deliver meanwhile is what
  // the store read is applying, and a buffer of it would only be memory and CPU spent twice.
  let catchingUp = false;
  const mayPull = () => !catchingUp && queue.length < maxBatch;

  let messages: ConsumerMessages | null = null;
  let ticker: NodeJS.Timeout | null = null;
  const acks = createDeferredAcks({ everyMs: ackEveryMs, maxPending: maxBatch });
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });

  // A function, not an inline comparison: TypeScript narrows `status` across awaits otherwise.
  const failed = () => status === 'failed';

  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const waitForWork = () =>
    new Promise<void>((r) => {
      wake = r;
    });

  const report = () => {
    metrics?.heldTenants.set(labels, held.size);
    metrics?.projectionPosition.set(labels, Number(position));
    const at = caughtUpTo();
    metrics?.projectionLag.set(labels, Number(head > at ? head - at : 0n));
  };

  /**
   * Atomically: apply the relevant events, move the checkpoint to the chunk's end. One
   * statement when the projection can put the batch in one (a round trip, no BEGIN/COMMIT),
   * else a transaction.
   */
  async function commit(chunk: readonly RecordedEvent[]): Promise<void> {
    const last = chunk.at(-1);
    if (!last) return;
    // The set of held tenants and its generation are taken together, before any await: the
    // replay may release a tenant meanwhile, and the batch must say which set it skipped.
    const skipping = held;
    const generation = heldGeneration;
    batchGeneration = generation;
    const relevant = chunk.filter(
      (e) => handles.has(e.type) && (skipping.size === 0 || !skipping.has(e.metadata.tenantId)),
    );
    const timer = metrics?.batchSeconds.startTimer(labels);
    if (relevant.length > 0) await projection.prepare?.(db, relevant);
    const move = {
      name: projection.name,
      version: projection.version,
      from: position,
      to: last.position,
      heldGeneration: generation,
    };
    const single =
      relevant.length === 0
        ? (target: typeof db) => advanceCheckpoint(target, move)
        : projection.applyInOneStatement?.(relevant, checkpointMove(move));
    if (single) {
      await single(db);
    } else {
      await db.transaction().execute(async (trx) => {
        await projection.apply(trx, relevant);
        await advanceCheckpoint(trx, move);
      });
    }
    timer?.();
    position = last.position;
    metrics?.eventsApplied.inc(labels, chunk.length);
    report();
  }

  /** After a committed batch: a rebuild that reached its target is over. */
  async function endRebuildOnceCaughtUp(): Promise<void> {
    if (rebuildUntil === null || caughtUpTo() < rebuildUntil) return;
    try {
      await setStatus(db, projection, 'running', null);
    } catch (e) {
      // The batch is committed; the next one tries again.
      log.warn({ projection: projection.name, err: describeError(e) }, 'ending the rebuild failed');
      return;
    }
    rebuildUntil = null;
    if (status === 'rebuilding') status = 'running';
    log.info({ projection: projection.name, position: String(position) }, 'rebuild finished');
  }

  /**
   * After a failed batch: whether the stored checkpoint is elsewhere than this runner's. Then
   * the failure says nothing about the events. Behind: Postgres lost the last asynchronous
   * commits in a crash, and they are applied again from the store. Ahead: another runner
   * applied them. At another version: a rebuild by other code took the model, and this
   * runner stops without touching it. At another held generation: a tenant was held or
   * released since the batch was built (by another runner, or this one's replay), so it
   * skipped the wrong tenants' events; the set is reloaded and the batch built again.
   */
  async function outOfStep(generation: bigint): Promise<boolean> {
    const stored = await readCheckpoint(db, projection.name).catch(() => undefined);
    if (!stored) return false;
    if (stored.version !== projection.version) {
      fenceOut(stored.version);
      throw new Stopped();
    }
    if (stored.position === position && stored.heldGeneration === generation) return false;
    if (stored.position === position) {
      await reloadHeld();
      return true;
    }
    log.warn(
      { projection: projection.name, runner: String(position), stored: String(stored.position) },
      'the checkpoint is not where this runner left it; going on from the stored one',
    );
    position = stored.position;
    // What was read past the old position may not be applied past the new one.
    scanned = 0n;
    // Whoever moved it may have held or released tenants meanwhile.
    await reloadHeld();
    return true;
  }

  async function reloadHeld(): Promise<void> {
    const loaded = await loadHeldTenants(db, projection.name);
    held = loaded.tenants;
    heldGeneration = loaded.generation;
    report();
    // Held by another runner, say: this one retries them too.
    if (held.size > 0) scheduleReplay();
  }

  /** Retries a failed commit: transient errors forever, others `maxAttempts` times. */
  async function commitWithRetries(chunk: readonly RecordedEvent[]): Promise<'ok' | 'failed'> {
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        await commit(chunk);
        return 'ok';
      } catch (e) {
        if (await outOfStep(batchGeneration)) throw new OutOfStep();
        if (isTransient(e)) {
          if (!running) throw new Stopped();
          log.warn({ err: describeError(e), projection: projection.name }, 'retrying batch');
          await sleep(backoffMs(attempt));
          continue;
        }
        failures++;
        if (failures < maxAttempts) {
          await sleep(backoffMs(attempt, 1000));
          continue;
        }
        if (chunk.length > 1) return isolate(chunk);
        // Its tenant is held now, so the event is skipped: the commit only moves past it.
        if ((await poison(chunk[0]!, e)) === 'held') return commitWithRetries(chunk);
        return 'failed';
      }
    }
  }

  /**
   * The batch keeps failing: apply its events one at a time to find the one that cannot be.
   * Once it is found and its tenant held, the rest goes back to being one batch.
   */
  async function isolate(chunk: readonly RecordedEvent[]): Promise<'ok' | 'failed'> {
    for (let i = 0; i < chunk.length; i++) {
      const heldBefore = held.size;
      if ((await commitWithRetries([chunk[i]!])) === 'failed') return 'failed';
      if (held.size > heldBefore) return commitWithRetries(chunk.slice(i + 1));
    }
    return 'ok';
  }

  /**
   * An event that cannot be applied: its tenant is held back, so every other tenant goes on,
   * or, past maxHeldTenants or when holding fails, the projection fails at it.
   */
  async function poison(event: RecordedEvent, error: unknown): Promise<'held' | 'failed'> {
    if (held.size < maxHeldTenants && (await hold(event, error))) return 'held';
    return fail(event, error);
  }

  /**
   * Holds the event's tenant where the checkpoint is. Database outages are waited out, as a
   * batch's are; a checkpoint that moved (another runner) means going on from it instead.
   */
  async function hold(event: RecordedEvent, error: unknown): Promise<boolean> {
    const tenantId = event.metadata.tenantId;
    const message = describeError(error);
    let generation: bigint | null = null;
    // What the hold checked against: the replay may reload heldGeneration meanwhile.
    let expected = heldGeneration;
    for (let attempt = 0; ; attempt++) {
      try {
        expected = heldGeneration;
        generation = await holdTenant(db, projection, event, message, {
          position,
          generation: expected,
        });
        break;
      } catch (e) {
        if (!running) throw new Stopped();
        if (isTransient(e)) {
          log.warn({ projection: projection.name, err: describeError(e) }, 'hold: retrying');
          await sleep(backoffMs(attempt));
          continue;
        }
        log.error(
          { projection: projection.name, tenantId, err: describeError(e) },
          'holding the tenant back failed',
        );
        return false;
      }
    }
    if (generation === null) {
      if (await outOfStep(expected)) throw new OutOfStep();
      return false;
    }
    heldGeneration = generation;
    held.set(tenantId, position);
    scheduleReplay();
    metrics?.deadLetters.inc(labels);
    report();
    log.error(
      {
        projection: projection.name,
        tenantId,
        eventId: event.eventId,
        position: String(event.position),
        appliedThrough: String(position),
        err: message,
      },
      'tenant held back: one of its events cannot be applied; its events wait for its replay',
    );
    return true;
  }

  async function fail(event: RecordedEvent, error: unknown): Promise<'failed'> {
    lastError = `event ${event.eventId} at ${event.position}: ${describeError(error)}`;
    log.error(
      { projection: projection.name, position: String(event.position), err: lastError },
      'poison event',
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await deadLetter(db, projection, event, error);
        break;
      } catch (e) {
        if (!isTransient(e) || attempt > 20) break;
        await sleep(backoffMs(attempt));
      }
    }
    metrics?.deadLetters.inc(labels);
    status = 'failed';
    running = false;
    return 'failed';
  }

  /** Applies contiguous events after the checkpoint, in chunks of `size`. */
  async function applyEvents(events: readonly RecordedEvent[], size = maxBatch): Promise<void> {
    for (let i = 0; i < events.length && !failed(); i += size) {
      if ((await commitWithRetries(events.slice(i, i + size))) === 'ok') {
        await endRebuildOnceCaughtUp();
      }
    }
  }

  /**
   * Reads (position, to] from the store and applies it; `to` undefined means the head. The
   * next page is read while the current one is applied, so the two round trips overlap. Pages
   * follow where each read's scan ended, not its last event: a store whose positions have gaps
   * may scan records that are no events of ours.
   */
  async function fillFromStore(to?: bigint): Promise<void> {
    const target: bigint = to ?? (await eventStore.headPosition());
    head = target > head ? target : head;
    const page = (after: bigint) => {
      const remaining = target - after;
      const maxCount = remaining < BigInt(catchUpBatch) ? Number(remaining) : catchUpBatch;
      const read = eventStore.readAll(after, { maxCount }).then(({ events, lastPosition }) => {
        const scannedTo: bigint = lastPosition;
        const end = scannedTo < target ? scannedTo : target;
        return { after, events: events.filter((e) => e.position <= target), end };
      });
      // Read ahead: it may fail while the page before is still being applied, or never be
      // awaited. Handled here, so a database blip is not an unhandled rejection that ends the
      // process; whoever awaits it still sees the error, and inStep waits the blip out.
      read.catch(() => undefined);
      return read;
    };
    let next: ReturnType<typeof page> | null = caughtUpTo() < target ? page(position) : null;
    while (next && !failed()) {
      const { after, events, end } = await next;
      if (end <= after) break;
      next = end < target ? page(end) : null;
      await applyEvents(
        events.filter((e) => e.position > position),
        catchUpBatch,
      );
      if (!running || failed()) break;
      if (position >= (events.at(-1)?.position ?? 0n) && end > scanned) {
        scanned = end;
        report();
        await endRebuildOnceCaughtUp();
      }
    }
  }

  /**
   * Decodes a message as it arrives, while the loop waits on Postgres for the previous batch,
   * so parsing overlaps the database's work. null: a duplicate (known by the relay's position
   * header, without parsing) or undecodable (its position is still in the store, and the
   * hole it leaves is filled from there).
   */
  function decode(m: JsMsg): RecordedEvent | null {
    const header = m.headers?.get(EventHeaders.Position);
    if (header && /^\d+$/.test(header) && BigInt(header) <= position) return null;
    try {
      return decodeEvent(m.data);
    } catch (e) {
      log.warn(
        { projection: projection.name, seq: m.seq, err: describeError(e) },
        'undecodable message',
      );
      return null;
    }
  }

  /** Events past the checkpoint, in position order, each position once. */
  function freshEvents(batch: readonly Received[]): RecordedEvent[] {
    const byPosition = new Map<bigint, RecordedEvent>();
    for (const { event } of batch) {
      if (event && event.position > position) byPosition.set(event.position, event);
    }
    return [...byPosition.values()].sort((a, b) => (a.position < b.position ? -1 : 1));
  }

  async function handleMessages(batch: readonly Received[]): Promise<void> {
    const fresh = freshEvents(batch);
    const last = fresh.at(-1);
    if (last) {
      const contiguous = last.position - position === BigInt(fresh.length);
      if (contiguous) await applyEvents(fresh);
      else await fillFromStore(last.position);
    }
    // Ack policy `all`: acking the last message acks the batch. Only after the commit, so a
    // crash in between means a redelivery the checkpoint then drops.
    if (!failed() && position >= (last?.position ?? 0n)) {
      const msg = batch.at(-1)?.msg;
      if (msg) acks.ackLater(msg, batch.length);
    }
  }

  /**
   * Replays the held tenants beside the batches (runner/held-tenant-replay.ts): at start, and
   * every heldRetryMs while any stays held.
   */
  function replayHeld(): void {
    replayTimer = null;
    if (replaying || !running) return;
    replaying = replayHeldTenants({
      db,
      eventStore,
      projection,
      pageSize: catchUpBatch,
      checkpoint: () => position,
      isRunning: () => running,
      log,
      // The release moved the generation: batches built before it fail their
      // compare-and-set (see commit) and are built again with the new set.
      onReleased: () => reloadHeld(),
      onDeadLetter: () => metrics?.deadLetters.inc(labels),
    })
      .catch((e: unknown) => {
        log.error({ projection: projection.name, err: describeError(e) }, 'replay failed');
        return 1;
      })
      .then(async (stillHeld) => {
        // Others may have held or released tenants meanwhile: the status and gauge say what
        // is stored (a batch in flight checks its own generation, so this is safe any time).
        await reloadHeld().catch(() => undefined);
        await stopIfFencedOut().catch(() => undefined);
        replaying = null;
        if (stillHeld > 0 || held.size > 0) scheduleReplay();
      });
  }

  /** The next replay, heldRetryMs from now, unless one runs or is already due. */
  function scheduleReplay(): void {
    if (replaying || replayTimer || !running) return;
    replayTimer = setTimeout(replayHeld, heldRetryMs);
    replayTimer.unref();
  }

  /**
   * A replay that found its tenant gone may have met a newer version's rebuild: an idle
   * runner would otherwise learn of it only at its next batch.
   */
  async function stopIfFencedOut(): Promise<void> {
    const stored = await readCheckpoint(db, projection.name);
    if (!stored || stored.version === projection.version || !running) return;
    fenceOut(stored.version);
    await messages?.close().catch(() => undefined);
    poke();
    signalRoom();
  }

  /** Another version owns the read model: this runner stops and writes nothing more. */
  function fenceOut(storedVersion: number): void {
    log.error(
      { projection: projection.name, stored: storedVersion, code: projection.version },
      'another version of this projection took its read model over; stopping',
    );
    fencedOut = true;
    running = false;
  }

  async function loop(): Promise<void> {
    try {
      replayHeld();
      catchingUp = true;
      try {
        if (storeCatchUp) await inStep(fillFromStore());
      } finally {
        catchingUp = false;
        signalRoom();
      }
      while (running) {
        if (queue.length === 0) {
          const idle = Date.now() - lastMessageAt >= idleMs;
          if (storeCatchUp && idle && head > caughtUpTo()) {
            restartPull();
            await inStep(fillFromStore());
            continue;
          }
          await waitForWork();
          continue;
        }
        if (queue.length < maxBatch) {
          const early = batchStartedAt + coalesceMs - performance.now();
          if (early > 0) await sleep(early);
          // The first message of a burst wakes this loop in a microtask, while the rest of
          // the socket read is still being handed over one message at a time: let them all
          // arrive, or the burst splits and its tail waits out coalesceMs. Measured at 1,367
          // commands/s: batches 118-128/s instead of 146-169, visible p50 ~2 ms lower.
          else await new Promise((r) => setImmediate(r));
        }
        batchStartedAt = performance.now();
        const batch = queue.splice(0, maxBatch);
        if (mayPull()) signalRoom();
        await inStep(handleMessages(batch));
      }
    } catch (e) {
      if (!(e instanceof Stopped)) {
        status = 'failed';
        lastError = describeError(e);
        log.error({ projection: projection.name, err: lastError }, 'projection runner stopped');
      }
    } finally {
      running = false;
      if (fencedOut) {
        // Not ready: nothing projects here until this process runs the newer code.
        status = 'failed';
        lastError = 'another version of this projection owns its read model';
      } else if (!failed()) {
        status = 'stopped';
        // A half-refilled model stays marked as such, and the next start finishes the rebuild.
        const stored = rebuildUntil === null ? 'stopped' : 'rebuilding';
        await setStatus(db, projection, stored, null).catch(() => undefined);
      }
      // Confirmed by the server before stopping, so a successor is not sent it again; not
      // waited on for long (NATS may be what is away), a redelivery being harmless.
      await acks
        .take()
        ?.ackAck({ timeout: 1000 })
        .catch(() => false);
      await messages?.close().catch(() => undefined);
      if (ticker) clearInterval(ticker);
      if (replayTimer) clearTimeout(replayTimer);
      await replaying;
      resolveDone();
    }
  }

  /**
   * Work that an out-of-step checkpoint or a database away for a moment abandons: what it did
   * not write is read again by the loop's next turn (gap fill or idle catch-up).
   */
  async function inStep(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (e) {
      if (e instanceof OutOfStep) return;
      if (!isTransient(e) || !running) throw e;
      log.warn(
        { err: describeError(e), projection: projection.name },
        'database or event store away; retrying',
      );
      await sleep(TRANSIENT_PAUSE_MS);
    }
  }

  /**
   * Ends the outstanding fetch, so the pull loop asks again. Called when nothing has come for
   * idleMs while the store is ahead: the server can drop a pull request without a word
   * (seen here as `waiting 0` on the consumer while its pending grew), and nats.js notices
   * only after two missed heartbeats, seconds later, during which every event reached the
   * read model only through the idle store reads. A request that was not dead costs a new
   * one; what the old one would still have carried is read from the store now, and its
   * messages are acked by the next batch's ack (ack policy `all`).
   */
  function restartPull(): void {
    const current = messages;
    messages = null;
    if (current) {
      metrics?.pullRestarts.inc(labels);
      current.close().catch(() => undefined);
    }
  }

  /**
   * Pulls batches with fetch() while the queue has room: at most about two batches are ever
   * buffered (one queued, one arriving), so a backlog in JetStream is backpressure, not memory.
   */
  async function pull(consumer: Consumer): Promise<void> {
    for (let attempt = 0; running; ) {
      if (!mayPull()) {
        await new Promise<void>((r) => {
          roomWaiter = r;
        });
        continue;
      }
      try {
        // Longer than the 5 s first used: fewer requests ending while messages flow, where the
        // silently dropped ones were seen (restartPull). Not much longer: a request ended by
        // restartPull may stay on the server until then (this server drops it once its inbox
        // has no interest, so nothing it would carry was lost in the probes).
        const batch = await consumer.fetch({
          max_messages: maxBatch,
          expires: 10_000,
        });
        messages = batch;
        if (!running) {
          await batch.close().catch(() => undefined);
          return;
        }
        for await (const m of batch) {
          const event = decode(m);
          // A delivered event is in the store: the head is at least there, so the lag gauge
          // counts what waits in the queue rather than lagging the 250 ms head sample.
          if (event && event.position > head) head = event.position;
          queue.push({ msg: m, event });
          lastMessageAt = Date.now();
          poke();
        }
        if (messages === batch) messages = null;
        attempt = 0;
      } catch (e) {
        if (!running) return;
        // The consumer or the stream vanished, or NATS is away: make the consumer again.
        log.warn({ projection: projection.name, err: describeError(e) }, 'fetch failed; retrying');
        await sleep(backoffMs(attempt++));
        try {
          if (running) consumer = await ensureConsumer();
        } catch (err) {
          log.warn({ projection: projection.name, err: describeError(err) }, 'consumer not ready');
        }
      }
    }
  }

  async function ensureConsumer(): Promise<Consumer> {
    const durable = durableName(projection.name);
    await ensureProjectionConsumer(deps.jsm, {
      stream: deps.stream,
      subjectPrefix: deps.subjectPrefix,
      durable,
      maxAckPending: maxBatch * 10,
    });
    return deps.js.consumers.get(deps.stream, durable);
  }

  async function consume(): Promise<void> {
    const consumer = await ensureConsumer();
    void pull(consumer);
  }

  return {
    name: projection.name,
    done,
    status: () => ({ status, position, lastError, heldTenants: held.size }),

    start() {
      starting ??= (async () => {
        // Counters exist at 0 from the start: an alert on their increase needs a first sample.
        metrics?.deadLetters.inc(labels, 0);
        metrics?.pullRestarts.inc(labels, 0);
        metrics?.heldTenants.set(labels, 0);
        let checkpoint = await loadCheckpoint(db, projection);
        if (checkpoint.version !== projection.version) {
          const versions = { stored: checkpoint.version, code: projection.version };
          const { reset } = projection;
          // Rows a previous version derived are wrong for this one: serving a model that is
          // refilling (its checkpoint says how far, X-Min-Position reads wait) beats serving them.
          const outcome = reset ? await resetIfOtherVersion(db, projection, reset) : 'cannot';
          if (outcome === 'reset') {
            log.warn(
              { projection: projection.name, ...versions },
              'projection version changed: rebuilding from the event store',
            );
          } else if (outcome === 'cannot') {
            log.warn(
              { projection: projection.name, ...versions },
              'projection version changed, and it cannot reset itself',
            );
          }
          // Whoever reset it (this process or one starting beside it), start from what is stored.
          checkpoint = await loadCheckpoint(db, projection);
          if (checkpoint.version > projection.version) {
            log.error(
              { projection: projection.name, ...versions, stored: checkpoint.version },
              'a newer version of this projection owns its read model; not starting',
            );
            fencedOut = true;
            status = 'failed';
            lastError = `version ${checkpoint.version} of this projection owns its read model`;
            resolveDone();
            return;
          }
        }
        const rebuilding = checkpoint.status === 'rebuilding';
        // A failed projection retries its dead-lettered event on restart: the restart is the
        // operator saying the cause is fixed.
        if (!rebuilding && checkpoint.status !== 'running') {
          await setStatus(db, projection, 'running', null);
        }
        position = checkpoint.position;
        head = position;
        await reloadHeld();
        if (rebuilding) {
          rebuildUntil = await eventStore.headPosition();
          await endRebuildOnceCaughtUp();
        }
        // stop() while starting: nothing is started, and stop() resolves `done`.
        if (stopRequested) {
          status = 'stopped';
          return;
        }
        running = true;
        await consume();
        status = rebuildUntil === null ? 'running' : 'rebuilding';
        report();
        ticker = setInterval(() => {
          eventStore
            .headPosition()
            .then((h) => {
              head = h;
              report();
              if (queue.length === 0 && h > caughtUpTo()) poke();
            })
            .catch(() => undefined);
        }, idleMs);
        ticker.unref();
        loopStarted = true;
        void loop();
      })();
      return starting;
    },

    async stop() {
      stopRequested = true;
      await starting?.catch(() => undefined);
      running = false;
      const current = messages;
      messages = null;
      await current?.close().catch(() => undefined);
      poke();
      signalRoom();
      if (!loopStarted) resolveDone();
      await done;
    },
  };
}
