import type pg from 'pg';
import type { WakeDemand } from '../catch-up-subscription.js';
import type { WakeSignal } from '../wake-signal.js';
import type { PgPool } from './pg-slice.js';

const CHANNEL = 'es_appended';
const RECONNECT_MS = 1000;

export interface AppendListener {
  /** Opens the LISTEN connection if it is not open or opening; idempotent. */
  start(): void;
  /**
   * A subscription's say in whether to listen: the connection stops listening while every
   * subscription holding a demand is busy, and listens again when one is not.
   */
  demand(): WakeDemand & { release(): void };
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
  // Demands held and how many of them are busy; listening is wanted unless all are.
  let holders = 0;
  let busy = 0;
  let listening = true;
  /** The last LISTEN or UNLISTEN sent; the next waits for it, so they apply in order. */
  let switching: Promise<void> = Promise.resolve();

  /** Brings the connection to `listening`: UNLISTEN when every holder is busy, else LISTEN. */
  const settle = (): Promise<void> => {
    const want = holders === 0 || busy < holders;
    if (want === listening) return switching;
    listening = want;
    const c = client;
    if (!c) return switching; // open() listens on connecting; a reconnect listens anyway
    switching = switching
      .then(() => c.query(want ? `listen ${CHANNEL}` : `unlisten ${CHANNEL}`))
      .then(
        () => undefined,
        () => lost(c),
      );
    return switching;
  };

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
        listening = true;
        signal.notify();
        // A demand may have gone busy while connecting.
        void settle();
      })
      .catch(schedule)
      .finally(() => {
        connecting = false;
      });
  };

  return {
    start: open,
    demand() {
      holders++;
      let isBusy = false;
      let released = false;
      return {
        busy() {
          if (isBusy || released) return;
          isBusy = true;
          busy++;
          void settle();
        },
        idle() {
          if (isBusy && !released) {
            isBusy = false;
            busy--;
          }
          return settle();
        },
        release() {
          if (released) return;
          released = true;
          holders--;
          if (isBusy) busy--;
          void settle();
        },
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      // Destroyed, not returned: a pooled connection must not keep listening for someone else.
      client?.release(true);
      client = null;
    },
  };
}
