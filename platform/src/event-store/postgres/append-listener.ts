import type pg from 'pg';
import type { WakeSignal } from '../wake-signal.js';
import type { PgPool } from './pg-slice.js';

const CHANNEL = 'es_appended';
const RECONNECT_MS = 1000;

export interface AppendListener {
  /** Opens the LISTEN connection if it is not open or opening; idempotent. */
  start(): void;
  close(): Promise<void>;
}

/**
 * One pooled connection per store, held for LISTEN es_appended, that wakes the store's
 * subscriptions when any process commits an append. Opened only when a subscription starts, so
 * a process that only appends holds none. A lost connection is replaced after a pause; the
 * subscriptions' poll covers the gap, and a wake after reconnecting covers what was missed.
 */
export function createAppendListener(pool: PgPool, signal: WakeSignal): AppendListener {
  let client: pg.PoolClient | null = null;
  let connecting = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const lost = (lostClient: pg.PoolClient) => {
    if (client !== lostClient) return;
    client = null;
    lostClient.release(true);
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      open();
    }, RECONNECT_MS);
    retry.unref();
  };

  const open = () => {
    if (closed || client || connecting) return;
    connecting = true;
    pool
      .connect()
      .then(async (c) => {
        c.on('error', () => lost(c));
        c.on('notification', () => signal.notify());
        try {
          await c.query(`listen ${CHANNEL}`);
        } catch {
          c.release(true);
          schedule();
          return;
        }
        if (closed) {
          c.release(true);
          return;
        }
        client = c;
        signal.notify();
      })
      .catch(schedule)
      .finally(() => {
        connecting = false;
      });
  };

  return {
    start: open,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      // Destroyed, not returned: a pooled connection must not keep listening for someone else.
      client?.release(true);
      client = null;
    },
  };
}
