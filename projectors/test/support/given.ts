import type { RecordedEvent } from '@techflow/platform';
import type { Kysely } from 'kysely';
import type { Projection, ReadModelDatabase } from '../../src/projection.js';

/** Runs one batch through a projection the way the runner does: prepare, then one transaction. */
export async function applyBatch(
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  events: readonly RecordedEvent[],
): Promise<void> {
  const relevant = events.filter((e) => projection.handles.includes(e.type));
  if (relevant.length === 0) return;
  await projection.prepare?.(db, relevant);
  await db.transaction().execute((trx) => projection.apply(trx, relevant));
}

/**
 * The given/when/then grammar for projections:
 * `given(db, projection, pastEvents).when(newEvents).then(async () => assertions)`.
 * Given events are applied as one batch, when events as another (as the runner would).
 */
export const given = (
  db: Kysely<ReadModelDatabase>,
  projection: Projection,
  past: readonly RecordedEvent[],
) => ({
  when: (events: readonly RecordedEvent[]) => ({
    // biome-ignore lint/suspicious/noThenProperty: STYLE.md's given/when/then grammar; never awaited bare
    async then(check: () => Promise<void>): Promise<void> {
      await applyBatch(db, projection, past);
      await applyBatch(db, projection, events);
      await check();
    },
  }),
});
