import { headers, type MsgHdrs } from '@nats-io/transport-node';

/**
 * Header names on event messages. `Nats-Msg-Id` is JetStream's own: the stream drops a second
 * message with the same id inside its duplicate window, which is what makes the relay's
 * republish-after-restart harmless. The others let a consumer route without decoding the body.
 */
export const EventHeaders = {
  /** The event id; set through the publish option `msgID`. */
  MsgId: 'Nats-Msg-Id',
  /** The event's global position in the event store, a decimal string. */
  Position: 'TF-Position',
  EventType: 'TF-Event-Type',
  TenantId: 'TF-Tenant-Id',
} as const;

/** The headers the relay puts on an event's message. */
export function eventMessageHeaders(event: {
  readonly position: bigint;
  readonly type: string;
  readonly metadata: { readonly tenantId: string };
}): MsgHdrs {
  const h = headers();
  h.set(EventHeaders.Position, event.position.toString());
  h.set(EventHeaders.EventType, event.type);
  h.set(EventHeaders.TenantId, event.metadata.tenantId);
  return h;
}
