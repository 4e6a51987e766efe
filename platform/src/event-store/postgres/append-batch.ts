import type { IdempotencyRecord, JsonObject } from '../port.js';
import type { PgQueryable } from './pg-slice.js';

/** One command as es.append_batch takes it (see its migration for the full contract). */
export interface BatchCommand {
  readonly idempotency?: IdempotencyRecord;
  readonly streams: readonly {
    readonly streamId: string;
    readonly category: string;
    readonly expected: string;
    readonly events: readonly {
      readonly eventId: string;
      readonly type: string;
      readonly version: number;
      readonly data: JsonObject;
      readonly metadata: JsonObject;
      readonly contentHash: string;
    }[];
  }[];
}

export type BatchOutcome =
  | {
      readonly kind: 'appended';
      readonly streams: readonly {
        readonly streamId: string;
        readonly revision: string;
        /** null for a stream given no events: the command's position stands in. */
        readonly position: string | null;
      }[];
      readonly position: string;
    }
  | {
      readonly kind: 'replayed';
      readonly record: IdempotencyRecord;
      readonly position: string | null;
    }
  | { readonly kind: 'conflict'; readonly streamId: string; readonly actual: string | null }
  | { readonly kind: 'duplicate'; readonly eventId: string };

export interface BatchResult {
  readonly head: string;
  /** Events this call wrote (0 when every command was replayed, retried or refused). */
  readonly written: number;
  readonly outcomes: readonly BatchOutcome[];
}

/** One round trip, one commit: the statement runs in autocommit. */
export async function appendBatch(
  db: PgQueryable,
  commands: readonly BatchCommand[],
): Promise<BatchResult> {
  const { rows } = await db.query<{ result: BatchResult }>({
    name: 'es_append_batch',
    text: 'select es.append_batch($1::jsonb) as result',
    values: [JSON.stringify(commands)],
  });
  const result = rows[0]?.result;
  if (!result || result.outcomes.length !== commands.length) {
    throw new Error('es.append_batch answered with a different number of outcomes');
  }
  return result;
}
