import { expectedToText } from '../expected-revision.js';
import { contentHash } from '../hash-chain.js';
import type { AppendOptions, StreamAppend } from '../port.js';
import { categoryOf } from '../stream-naming.js';
import type { BatchCommand } from './append-batch.js';

/**
 * The content hash is computed here, in the caller's process, so the database only chains it:
 * the batch statement spends no CPU on canonical JSON.
 */
export function toBatchCommand(
  appends: readonly StreamAppend[],
  options: AppendOptions,
): BatchCommand {
  return {
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    streams: appends.map((append) => ({
      streamId: append.streamId,
      category: categoryOf(append.streamId),
      expected: expectedToText(append.expectedRevision),
      events: append.events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        version: event.version,
        data: event.data,
        metadata: {
          tenantId: event.metadata.tenantId,
          actor: event.metadata.actor,
          correlationId: event.metadata.correlationId,
          causationId: event.metadata.causationId,
          occurredAt: event.metadata.occurredAt,
        },
        contentHash: contentHash(append.streamId, event),
      })),
    })),
  };
}
