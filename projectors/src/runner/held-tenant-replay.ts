import { backoffMs, type EventStore, isTransient, type RecordedEvent } from '@techflow/platform';
import type { Kysely } from 'kysely';
import type { Log } from '../log.js';
import type { Projection, ReadModelDatabase } from '../projection.js';
import { describeError } from './dead-letters.js';
import { advanceHeldTenant, holdTenant, releaseTenant } from './held-tenants.js';

export interface HeldTenantReplay {
  readonly db: Kysely<ReadModelDatabase>;
  readonly eventStore: Pick<EventStore, 'readAll'>;
  readonly projection: Projection;
  /** Held tenants and how far each is complete: moved on as pages apply, emptied as released. */
  readonly held: Map<string, bigint>;
  /** The checkpoint: the replay brings each tenant up to it. */
  readonly until: bigint;
  /** Events read from the store per page. */
  readonly pageSize: number;
  /** False once the runner is stopping: the replay stops too, its progress kept. */
  isRunning(): boolean;
  readonly log: Log;
  /** After a tenant is released. */
  onChange(): void;
  /** After an event is again found impossible to apply. */
  onDeadLetter(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Replays each held tenant's events, from where its read model is complete up to the
 * checkpoint, and releases it. Runs before the runner's first batch, so the checkpoint stands
 * still meanwhile. Each page is applied with the tenant's progress in one transaction, so a
 * crash resumes where it was. A tenant whose event still cannot be applied stays held, at that
 * event.
 */
export async function replayHeldTenants(replay: HeldTenantReplay): Promise<void> {
  for (const [tenantId, appliedThrough] of [...replay.held]) {
    if (!replay.isRunning()) return;
    await replayTenant(replay, tenantId, appliedThrough);
  }
}

async function replayTenant(
  replay: HeldTenantReplay,
  tenantId: string,
  appliedThrough: bigint,
): Promise<void> {
  const { db, eventStore, projection, held, until, log } = replay;
  let after = appliedThrough;
  log.info(
    { projection: projection.name, tenantId, from: String(after), to: String(until) },
    'replaying a held tenant',
  );
  for (let attempt = 0; replay.isRunning(); ) {
    try {
      if (after >= until) {
        await releaseTenant(db, projection.name, tenantId);
        held.delete(tenantId);
        replay.onChange();
        log.info({ projection: projection.name, tenantId }, 'held tenant replayed and released');
        return;
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
      if ((await applyPage(replay, tenantId, page, end)) === 'held') return;
      after = end;
      attempt = 0;
    } catch (e) {
      if (!isTransient(e)) throw e;
      log.warn({ projection: projection.name, err: describeError(e) }, 'replay: retrying');
      await sleep(backoffMs(attempt++));
      // Whatever committed before the error counts.
      after = held.get(tenantId) ?? after;
    }
  }
}

/**
 * Applies a page of a held tenant's events with its progress, in one transaction; when that
 * fails, one event at a time up to the one that cannot be applied, where the tenant stays.
 */
async function applyPage(
  replay: HeldTenantReplay,
  tenantId: string,
  page: readonly RecordedEvent[],
  end: bigint,
): Promise<'ok' | 'held'> {
  const { db, projection, held, log } = replay;
  const handles = new Set(projection.handles);
  const step = async (events: readonly RecordedEvent[], through: bigint) => {
    const relevant = events.filter((e) => handles.has(e.type));
    if (relevant.length > 0) await projection.prepare?.(db, relevant);
    await db.transaction().execute(async (trx) => {
      if (relevant.length > 0) await projection.apply(trx, relevant);
      await advanceHeldTenant(trx, projection.name, tenantId, through);
    });
    held.set(tenantId, through);
  };
  try {
    await step(page, end);
    return 'ok';
  } catch (e) {
    if (isTransient(e)) throw e;
  }
  for (const event of page) {
    try {
      await step([event], event.position);
    } catch (e) {
      if (isTransient(e)) throw e;
      await holdTenant(db, projection, event, describeError(e), held.get(tenantId) ?? 0n);
      replay.onDeadLetter();
      log.error(
        {
          projection: projection.name,
          tenantId,
          eventId: event.eventId,
          position: String(event.position),
          err: describeError(e),
        },
        'held tenant still cannot be replayed; it stays held',
      );
      return 'held';
    }
  }
  await step([], end);
  return 'ok';
}
