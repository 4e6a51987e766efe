import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { decodeEvent, type RecordedEvent } from '@techflow/platform';

/** Every message in the stream, in stream order, decoded (an ordered consumer, no state kept). */
export async function readStream(js: JetStreamClient, stream: string): Promise<RecordedEvent[]> {
  const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const info = await consumer.info(true);
  const total = info.num_pending;
  const out: RecordedEvent[] = [];
  if (total === 0) return out;
  const messages = await consumer.consume({ max_messages: 1000 });
  for await (const m of messages) {
    out.push(decodeEvent(m.data));
    if (out.length >= total) break;
  }
  await messages.close();
  return out;
}
