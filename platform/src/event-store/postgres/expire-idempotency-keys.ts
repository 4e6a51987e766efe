import type { PgQueryable } from './pg-slice.js';

/**
 * Forgets Idempotency-Key answers older than `olderThanHours`. The API promises at least 24 h;
 * keeping them longer only costs space. Deletes in slices so a large backlog never holds
 * locks for long. Returns how many were removed.
 */
export async function expireIdempotencyKeys(
  db: PgQueryable,
  olderThanHours: number,
  slice = 5_000,
): Promise<number> {
  if (!(olderThanHours >= 24)) throw new RangeError('idempotency keys must live at least 24 h');
  let removed = 0;
  for (;;) {
    const r = await db.query({
      name: 'es_expire_idempotency_keys',
      text: `delete from es.idempotency_keys k
              using (select scope, key from es.idempotency_keys
                      where created_at < now() - make_interval(hours => $1)
                      limit $2) old
             where k.scope = old.scope and k.key = old.key`,
      values: [olderThanHours, slice],
    });
    removed += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < slice) return removed;
  }
}
