import type { ScannedPage } from '../catch-up-subscription.js';
import type { ReadAllFilter } from '../port.js';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row.js';
import type { PgQueryable } from './pg-slice.js';

/**
 * How far past `after` one read may scan. Positions are gap-free, so this bounds the rows a
 * sparse filter examines per statement; the reader resumes from where the window ended.
 */
export const SCAN_WINDOW = 50_000n;

type Row = Partial<EventRow> & { head: string };

/**
 * One statement reads the head and the events: both come from the same snapshot, in which the
 * log is exactly positions 1..head (see postgres-event-store.ts), so "fewer than maxCount
 * matched" means "nothing else matches up to the head". The SQL text depends only on which
 * filters are present, so each shape gets its own prepared plan (a generic `$2 is null or`
 * plan could not use the tenant index).
 */
export async function readAllPage(
  db: PgQueryable,
  after: bigint,
  filter: ReadAllFilter | undefined,
  maxCount: number,
): Promise<ScannedPage> {
  const values: unknown[] = [after.toString(), maxCount, SCAN_WINDOW.toString()];
  const where: string[] = [];
  if (filter?.tenantId !== undefined) where.push(`e.tenant_id = $${values.push(filter.tenantId)}`);
  if (filter?.categories) where.push(`e.category = any($${values.push(filter.categories)})`);
  if (filter?.types) where.push(`e.type = any($${values.push(filter.types)})`);
  const shape = `${filter?.tenantId !== undefined ? 't' : ''}${filter?.categories ? 'c' : ''}${filter?.types ? 'y' : ''}`;
  const { rows } = await db.query<Row>({
    name: `es_read_all_${shape}`,
    text: `select h.position as head, e.*
             from es.log_head h
             left join lateral (
               select ${EVENT_COLUMNS} from es.events e
                where e.position > $1 and e.position <= least(h.position, $1::bigint + $3)
                  ${where.map((w) => `and ${w}`).join(' ')}
                order by e.position limit $2
             ) e on true`,
    values,
  });
  const head = BigInt(rows[0]?.head ?? '0');
  const events = rows.filter((r): r is Row & EventRow => r.event_id != null).map(toRecordedEvent);
  const windowEnd = after + SCAN_WINDOW < head ? after + SCAN_WINDOW : head;
  const lastPosition =
    events.length === maxCount ? events.at(-1)!.position : after > windowEnd ? after : windowEnd;
  return { events, lastPosition, reachedHead: lastPosition >= head };
}
