import {
  DuplicateEventId,
  ExpectedRevisionConflict,
  type MultiAppendOutcome,
  type StreamAppend,
} from '../port.js';
import type { BatchOutcome } from './append-batch.js';

/** Turns the function's answer for one command into the port's outcome, or its error. */
export function fromBatchOutcome(
  outcome: BatchOutcome,
  appends: readonly StreamAppend[],
): MultiAppendOutcome {
  switch (outcome.kind) {
    case 'appended': {
      const position = BigInt(outcome.position);
      return {
        kind: 'appended',
        position,
        streams: outcome.streams.map((s) => ({
          streamId: s.streamId,
          nextExpectedRevision: BigInt(s.revision),
          position: s.position === null ? position : BigInt(s.position),
        })),
      };
    }
    case 'replayed':
      return {
        kind: 'replayed',
        record: outcome.record,
        position: outcome.position === null ? null : BigInt(outcome.position),
      };
    case 'conflict': {
      const expected = appends.find((a) => a.streamId === outcome.streamId)?.expectedRevision;
      throw new ExpectedRevisionConflict(
        outcome.streamId,
        expected ?? 'any',
        outcome.actual === null ? null : BigInt(outcome.actual),
      );
    }
    case 'duplicate':
      throw new DuplicateEventId(outcome.eventId);
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown append outcome ${JSON.stringify(unknown)}`);
    }
  }
}
