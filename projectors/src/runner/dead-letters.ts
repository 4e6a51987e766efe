import { type RecordedEvent, toEventMessage } from '@techflow/platform';
import type { Kysely, Transaction } from 'kysely';
import type { ReadModelDatabase } from '../projection.js';

export const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : String(e);

export interface ProjectionRef {
  readonly name: string;
  readonly version: number;
}

/** Records (or counts again) an event the projection could not apply. */
export async function recordDeadLetter(
  trx: Transaction<ReadModelDatabase>,
  projection: string,
  event: RecordedEvent,
  message: string,
): Promise<void> {
  await trx
    .insertInto('projections.dead_letters')
    .values({
      projection,
      event_id: event.eventId,
      position: event.position,
      stream_id: event.streamId,
      type: event.type,
      event: JSON.stringify(toEventMessage(event)),
      error: message,
    })
    .onConflict((oc) =>
      oc.columns(['projection', 'event_id']).doUpdateSet((eb) => ({
        error: message,
        attempts: eb('projections.dead_letters.attempts', '+', 1),
        failed_at: new Date(),
      })),
    )
    .execute();
}

/**
 * Parks an event the projection cannot apply and marks the projection failed, in one
 * transaction. The checkpoint stays just before the event: once the cause is fixed, a restart
 * applies it and everything after it, so nothing is skipped.
 */
export async function deadLetter(
  db: Kysely<ReadModelDatabase>,
  { name: projection, version }: ProjectionRef,
  event: RecordedEvent,
  error: unknown,
): Promise<void> {
  const message = describeError(error);
  await db.transaction().execute(async (trx) => {
    await recordDeadLetter(trx, projection, event, message);
    await trx
      .updateTable('projections.checkpoints')
      .set({
        status: 'failed',
        last_error: `event ${event.eventId} at ${event.position}: ${message}`,
        updated_at: new Date(),
      })
      .where('name', '=', projection)
      .where('version', '=', version)
      .execute();
  });
}
