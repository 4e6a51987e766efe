import type { ScannedPage } from '../catch-up-subscription.js';
import type { ReadAllFilter, RecordedEvent } from '../port.js';
import { matchesFilter } from '../read-all-filter.js';
import { headOf, type MemoryState } from './memory-state.js';

export function readPage(
  state: MemoryState,
  after: bigint,
  filter: ReadAllFilter | undefined,
  maxCount: number,
): ScannedPage {
  const head = headOf(state);
  const events: RecordedEvent[] = [];
  let scanned = after > head ? after : head;
  for (let p = after + 1n; p <= head; p++) {
    const event = state.log[Number(p) - 1]!;
    if (!matchesFilter(event, filter)) continue;
    events.push(event);
    if (events.length === maxCount) {
      scanned = event.position;
      break;
    }
  }
  return { events, lastPosition: scanned, reachedHead: scanned >= head };
}
