import type { IdempotencyRecord } from '../port.js';
import type { PgQueryable } from './pg-slice.js';

export async function rememberIdempotencyRecord(
  db: PgQueryable,
  record: IdempotencyRecord,
  position: bigint | null,
): Promise<void> {
  await db.query({
    name: 'es_remember_idempotency',
    text: `insert into es.idempotency_keys (scope, key, request_hash, status, body, position)
           values ($1, $2, $3, $4, $5, $6) on conflict (scope, key) do nothing`,
    values: [
      record.scope,
      record.key,
      record.requestHash,
      record.status,
      JSON.stringify(record.body),
      position?.toString() ?? null,
    ],
  });
}
