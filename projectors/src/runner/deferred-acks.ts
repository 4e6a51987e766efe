import type { JsMsg } from '@nats-io/jetstream';

/**
 * Acks applied messages at most every `everyMs`, or at once when `maxPending` messages wait
 * for one. With ack policy `all`, acking the last applied message acks everything before it.
 * Acks only keep JetStream from redelivering (the checkpoint in Postgres decides what is
 * applied), so deferring them loses nothing: a crash means a redelivery the checkpoint drops.
 */
export interface DeferredAcks {
  /** `msg`, the last of `count` applied messages, is to be acked. */
  ackLater(msg: JsMsg, count: number): void;
  /** Acks what waits now, if anything. */
  flush(): void;
  /**
   * Hands over what waits, unacked, and forgets it: the caller acks it (waiting for the
   * server's confirmation, when stopping).
   */
  take(): JsMsg | null;
}

export function createDeferredAcks(options: {
  readonly everyMs: number;
  readonly maxPending: number;
}): DeferredAcks {
  const { everyMs, maxPending } = options;
  let pending: JsMsg | null = null;
  let pendingCount = 0;
  let lastAckAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;

  const take = (): JsMsg | null => {
    if (timer) clearTimeout(timer);
    timer = null;
    const msg = pending;
    pending = null;
    pendingCount = 0;
    lastAckAt = performance.now();
    return msg;
  };

  const flush = (): void => {
    try {
      take()?.ack();
    } catch {
      // The connection is closed: JetStream redelivers after ack_wait, and the checkpoint
      // drops what it already applied.
    }
  };

  return {
    take,
    flush,
    ackLater(msg, count) {
      pending = msg;
      pendingCount += count;
      if (pendingCount >= maxPending || performance.now() - lastAckAt >= everyMs) {
        flush();
        return;
      }
      timer ??= setTimeout(flush, everyMs);
    },
  };
}
