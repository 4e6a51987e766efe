import { BACKWARDS, END, FORWARDS, START } from '@eventstore/db-client';
import type { ScannedPage } from '../catch-up-subscription.js';
import type { ReadAllFilter, RecordedEvent } from '../port.js';
import { matchesFilter } from '../read-all-filter.js';
import type { EsdbClient } from './esdb-client.js';
import { toRecordedEvent } from './to-recorded-event.js';

/** Records examined per call: $all has no server-side filter on reads, so this bounds one. */
const SCAN = 4096;

/**
 * Reads $all after a commit position and filters here. lastPosition is the last record
 * scanned, system events included, so a filtered reader moves on.
 */
export async function readAllPage(
  client: EsdbClient,
  after: bigint,
  filter: ReadAllFilter | undefined,
  maxCount: number,
): Promise<ScannedPage> {
  const read = client.readAll({
    fromPosition: after === 0n ? START : { commit: after, prepare: after },
    direction: FORWARDS,
    maxCount: SCAN,
  });
  const events: RecordedEvent[] = [];
  let scanned = after;
  let records = 0;
  let full = false;
  for await (const resolved of read) {
    records++;
    const position = resolved.event?.position.commit ?? resolved.commitPosition;
    // fromPosition is inclusive: the record at `after` was delivered last time.
    if (position === undefined || position <= after) continue;
    scanned = position;
    const event = resolved.event && toRecordedEvent(resolved.event);
    if (!event || !matchesFilter(event, filter)) continue;
    events.push(event);
    if (events.length === maxCount) {
      full = true;
      break;
    }
  }
  return { events, lastPosition: scanned, reachedHead: !full && records < SCAN };
}

export async function headPosition(client: EsdbClient): Promise<bigint> {
  for await (const resolved of client.readAll({
    fromPosition: END,
    direction: BACKWARDS,
    maxCount: 1,
  })) {
    return resolved.event?.position.commit ?? resolved.commitPosition ?? 0n;
  }
  return 0n;
}
