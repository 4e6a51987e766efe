import { migrateSchema } from '@techflow/platform';
import { type Kysely, sql } from 'kysely';
import * as relay20251128 from './migrations/20251128T120000-relay-checkpoints.js';

/** relay.checkpoints: the last position each relay has published and seen acknowledged. */
export interface RelaySchema {
  'relay.checkpoints': { name: string; position: string | bigint };
}

export function migrateRelay<DB>(db: Kysely<DB>): Promise<void> {
  return migrateSchema(db, 'relay', {
    '20251128T120000-relay-checkpoints': relay20251128,
  });
}

export async function loadRelayCheckpoint(db: Kysely<RelaySchema>, name: string): Promise<bigint> {
  const row = await db
    .selectFrom('relay.checkpoints')
    .select('position')
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? BigInt(row.position) : 0n;
}

/** Saved only after JetStream acknowledged every event up to `position`. */
export async function saveRelayCheckpoint(
  db: Kysely<RelaySchema>,
  name: string,
  position: bigint,
): Promise<void> {
  await db
    .insertInto('relay.checkpoints')
    .values({ name, position: position.toString() })
    // Never backwards: a second relay that is behind must not make the next start republish
    // more than the duplicate window covers.
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        position: sql<string>`greatest(relay.checkpoints.position, excluded.position)`,
      }),
    )
    .execute();
}
