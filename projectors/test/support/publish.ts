import type { JetStreamClient } from '@nats-io/jetstream';
import {
  encodeEvent,
  eventMessageHeaders,
  eventSubject,
  type RecordedEvent,
} from '@techflow/platform';

/**
 * Publishes events as the relay would. `msgId` overrides the dedupe id: a fresh one makes
 * JetStream keep a second copy, which is how a test stages a redelivery.
 */
export async function publishEvents(
  js: JetStreamClient,
  prefix: string,
  events: readonly RecordedEvent[],
  msgId: (e: RecordedEvent) => string = (e) => e.eventId,
): Promise<void> {
  await Promise.all(
    events.map((e) =>
      js.publish(eventSubject(prefix, e), encodeEvent(e), {
        msgID: msgId(e),
        headers: eventMessageHeaders(e),
      }),
    ),
  );
}
