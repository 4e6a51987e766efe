import type { EventStore, RecordedEvent } from '@techflow/platform';

/** EventStoreDB's shape of positions, on top of a real store: what the projectors must take. */
export interface GappedStore {
  readonly store: Pick<EventStore, 'readAll' | 'headPosition'>;
  /** An event of the real store as this one shows it. */
  show(event: RecordedEvent): RecordedEvent;
  /** Reads made since the last call. */
  takeReads(): number;
}

const GAP = 10n;

/**
 * Positions are the real ones times ten (commit positions: increasing, with gaps), and the
 * head is a record past the last event that is no event of ours (a system record): scans
 * reach it, events never do.
 */
export function gappedStore(inner: EventStore): GappedStore {
  let reads = 0;
  const show = (e: RecordedEvent): RecordedEvent => ({ ...e, position: e.position * GAP });
  const head = async () => {
    const h = await inner.headPosition();
    return h === 0n ? 0n : h * GAP + 5n;
  };
  return {
    show,
    takeReads() {
      const n = reads;
      reads = 0;
      return n;
    },
    store: {
      headPosition: head,
      async readAll(after, options) {
        reads++;
        const batch = await inner.readAll(after / GAP, options);
        const events = batch.events.map(show);
        const full = options?.maxCount !== undefined && events.length === options.maxCount;
        const scannedTo: bigint = full ? events.at(-1)!.position : await head();
        return { events, lastPosition: scannedTo > after ? scannedTo : after };
      },
    },
  };
}
