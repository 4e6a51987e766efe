import { backoffMs, type EventStore, isTransient, type RecordedEvent } from '@techflow/platform';
import type { Kysely } from 'kysely';
import type { Log } from '../log.js';
import type { Projection, ReadModelDatabase } from '../projection.js';
import { describeError } from './dead-letters.js';
import {
  advanceHeldTenant,
  holdAgain,
  loadHeldTenants,
  ReplayOutOfStep,
  releaseTenant,
} from './held-tenants.js';

export interface HeldTenantReplay {
  readonly db: Kysely<ReadModelDatabase>;
  readonly eventStore: Pick<EventStore, 'readAll'>;
  readonly projection: Projection;
  /** Events read from the store per page. */
  readonly pageSize: number;
  /** The runner's checkpoint now: each tenant is brought up to it, however far it moves. */
  checkpoint(): bigint;
  /** False once the runner is stopping: the replay stops too, its progress kept. */
  isRunning(): boolean;
  readonly log: Log;
  /** After a tenant is released: the runner's own set of held tenants is out of date. */
  onReleased(tenantId: string): Promise<void>;
  /** After an event is again found impossible to apply. */
  onDeadLetter(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One pass over the held tenants: each is brought up to the checkpoint, from where its read
 * model is complete, and released. Runs beside the runner's batches (which skip the tenant's
 * events until the release), so a long replay holds up nobody else. Each page is applied with
 * the tenant's progress in one transaction, a compare-and-set (held-tenants.ts), so a crash
 * resumes where it was and two replayers never apply a page twice. A tenant whose event still
 * cannot be applied stays held, at that event. Resolves with how many stay held.
 */
export async function replayHeldTenants(replay: HeldTenantReplay): Promise<number> {
  const { tenants } = await loadHeldTenants(replay.db, replay.projection.name);
  let stillHeld = 0;
  for (const [tenantId, appliedThrough] of tenants) {
    if (!replay.isRunning()) return stillHeld + 1;
    if ((await replayTenant(replay, tenantId, appliedThrough)) === 'held') stillHeld++;
  }
  return stillHeld;
}

async function replayTenant(
  replay: HeldTenantReplay,
  tenantId: string,
  appliedThrough: bigint,
): Promise<'released' | 'held' | 'gone'> {
  const { db, eventStore, projection, log } = replay;
  let after = appliedThrough;
  /** The stored checkpoint, when a release found it ahead of the runner's own. */
  let stored = 0n;
  let behind = 0;
  log.info(
    { projection: projection.name, tenantId, from: String(after) },
    'replaying a held tenant',
  );
  for (let attempt = 0; replay.isRunning(); ) {
    try {
      const own = replay.checkpoint();
      const until = own > stored ? own : stored;
      if (after >= until) {
        const release = await releaseTenant(db, projection, tenantId, after);
        if (release.outcome === 'released') {
          log.info({ projection: projection.name, tenantId }, 'held tenant replayed and released');
          await replay.onReleased(tenantId);
          return 'released';
        }
        if (release.outcome === 'gone') return 'gone';
        // The checkpoint moved on while the lock was awaited: replay up to it too, a little
        // later each time it does again, so a busy projection is not raced in a tight loop.
        stored = release.checkpoint;
        await sleep(Math.min(200, 5 * 2 ** behind++));
        continue;
      }
      const { events, lastPosition } = await eventStore.readAll(after, {
        filter: { tenantId },
        maxCount: replay.pageSize,
      });
      const page = events.filter((e) => e.position <= until);
      const scanned = page.length < events.length || lastPosition >= until ? until : lastPosition;
      // A scan that did not move: the store has nothing more of the tenant's, so what remains
      // up to the checkpoint is empty.
      const end = scanned > after ? scanned : until;
      const outcome = await applyPage(replay, tenantId, page, after, end);
      if (outcome === 'held') return 'held';
      if (outcome === 'moved') {
        const now = await progressOf(db, projection, tenantId);
        if (now === undefined) return 'gone';
        after = now;
        continue;
      }
      after = end;
      attempt = 0;
    } catch (e) {
      if (!isTransient(e)) throw e;
      log.warn({ projection: projection.name, err: describeError(e) }, 'replay: retrying');
      await sleep(backoffMs(attempt++));
      // A commit whose answer was lost still counts: go on from what is stored.
      const now = await progressOf(db, projection, tenantId).catch(() => after);
      if (now === undefined) return 'gone';
      after = now;
    }
  }
  return 'held';
}

/** Where a held tenant's model is complete, or undefined when it is not held (at this version). */
async function progressOf(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  tenantId: string,
): Promise<bigint | undefined> {
  const row = await db
    .selectFrom('projections.held_tenants as h')
    .innerJoin('projections.checkpoints as c', 'c.name', 'h.projection')
    .select('h.applied_through')
    .where('h.projection', '=', projection.name)
    .where('h.tenant_id', '=', tenantId)
    .where('c.version', '=', projection.version)
    .executeTakeFirst();
  return row && BigInt(row.applied_through);
}

/**
 * Applies a page of a held tenant's events (after, end] with its progress, in one
 * transaction; when that fails, one event at a time up to the one that cannot be applied,
 * where the tenant stays. 'moved': another replayer (or a release, or another version)
 * changed the tenant's progress first, and nothing was written.
 */
async function applyPage(
  replay: HeldTenantReplay,
  tenantId: string,
  page: readonly RecordedEvent[],
  after: bigint,
  end: bigint,
): Promise<'ok' | 'held' | 'moved'> {
  const { db, projection, log } = replay;
  const handles = new Set(projection.handles);
  const step = async (events: readonly RecordedEvent[], from: bigint, through: bigint) => {
    const relevant = events.filter((e) => handles.has(e.type));
    if (relevant.length > 0) await projection.prepare?.(db, relevant);
    await db.transaction().execute(async (trx) => {
      if (relevant.length > 0) await projection.apply(trx, relevant);
      await advanceHeldTenant(trx, projection, tenantId, from, through);
    });
  };
  try {
    await step(page, after, end);
    return 'ok';
  } catch (e) {
    if (e instanceof ReplayOutOfStep) return 'moved';
    if (isTransient(e)) throw e;
  }
  let through = after;
  for (const event of page) {
    try {
      await step([event], through, event.position);
      through = event.position;
    } catch (e) {
      if (e instanceof ReplayOutOfStep) return 'moved';
      if (isTransient(e)) throw e;
      const message = describeError(e);
      if (!(await holdAgain(db, projection, event, message, through))) return 'moved';
      replay.onDeadLetter();
      log.error(
        {
          projection: projection.name,
          tenantId,
          eventId: event.eventId,
          position: String(event.position),
          err: message,
        },
        'held tenant still cannot be replayed; it stays held',
      );
      return 'held';
    }
  }
  await step([], through, end).catch((e: unknown) => {
    if (!(e instanceof ReplayOutOfStep)) throw e;
  });
  return 'ok';
}
