import type { RememberedAnswer } from '../idempotency-store.js';
import type { JsonObject } from '../port.js';
import type { PgQueryable } from './pg-slice.js';

interface Row {
  request_hash: string;
  status: number;
  body: JsonObject;
  position: string | null;
}

export async function findIdempotencyRecord(
  db: PgQueryable,
  scope: string,
  key: string,
): Promise<RememberedAnswer | null> {
  const { rows } = await db.query<Row>({
    name: 'es_find_idempotency',
    text: `select request_hash, status, body, position from es.idempotency_keys
            where scope = $1 and key = $2`,
    values: [scope, key],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    record: { scope, key, requestHash: row.request_hash, status: row.status, body: row.body },
    position: row.position === null ? null : BigInt(row.position),
  };
}
