import type { EventStore } from './port.js';

/**
 * appendToStream as every adapter defines it: a one-stream appendToStreams. No idempotency
 * record is passed, so the outcome can only be 'appended'.
 */
export const appendOneStream =
  (appendToStreams: EventStore['appendToStreams']): EventStore['appendToStream'] =>
  async (streamId, events, { expectedRevision }) => {
    const outcome = await appendToStreams([{ streamId, events, expectedRevision }]);
    if (outcome.kind !== 'appended') throw new Error('no idempotency key was given');
    return outcome.streams[0]!;
  };
