import { DuplicateEventId, type StreamAppend } from './port.js';

/**
 * Refuses what no store could commit sensibly: one stream twice in a command (which expected
 * revision would win?) or one event id twice (the second could only be a duplicate).
 */
export function validateAppends(appends: readonly StreamAppend[]): void {
  if (appends.length === 0) throw new Error('appendToStreams needs at least one stream');
  const streams = new Set<string>();
  const ids = new Set<string>();
  for (const append of appends) {
    if (streams.has(append.streamId)) {
      throw new Error(`stream ${append.streamId} appears twice in one append`);
    }
    streams.add(append.streamId);
    for (const event of append.events) {
      if (ids.has(event.eventId)) throw new DuplicateEventId(event.eventId);
      ids.add(event.eventId);
    }
  }
}
