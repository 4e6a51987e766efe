import { expireInSlices } from '../../db/expire-in-slices.js';
import type { PgQueryable } from './pg-slice.js';

/**
 * Forgets Idempotency-Key answers older than `olderThanHours` (at least 24 h; keeping them
 * longer only costs space), in slices (expireInSlices). Returns how many were removed.
 */
export function expireIdempotencyKeys(
  db: PgQueryable,
  olderThanHours: number,
  slice = 5_000,
): Promise<number> {
  return expireInSlices(olderThanHours, slice, async (hours, limit) => {
    const r = await db.query({
      name: 'es_expire_idempotency_keys',
      text: `delete from es.idempotency_keys k
              using (select scope, key from es.idempotency_keys
                      where created_at < now() - make_interval(hours => $1)
                      limit $2) old
             where k.scope = old.scope and k.key = old.key`,
      values: [hours, limit],
    });
    return r.rowCount ?? 0;
  });
}
