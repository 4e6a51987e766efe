import { CHECKPOINT_CHANNEL } from '@techflow/platform';
import pg from 'pg';

/**
 * Knows how far each projection has got, so a read with `X-Min-Position` can wait for its own
 * write without polling: one dedicated connection LISTENs on CHECKPOINT_CHANNEL (the projectors
 * NOTIFY `<projection>:<position>` after each committed batch) and waiters are resolved as the
 * notifications arrive. A slow re-read of `projections.checkpoints` (every second, and after
 * every (re)connect) repairs anything a lost connection or a missed notification hid.
 */
export interface CheckpointTracker {
  /** Connects, LISTENs and reads the checkpoints once; resolves when positions are known. */
  start(): Promise<void>;
  /** The latest known checkpoint of `projection` (0 when it has none yet). */
  position(projection: string): bigint;
  /**
   * Resolves with the checkpoint once it is >= `min`, or with undefined after `timeoutMs` or
   * when `signal` aborts (the caller went away: nothing stays parked for it). Answers at once,
   * without a timer, when it already is.
   */
  waitFor(
    projection: string,
    min: bigint,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<bigint | undefined>;
  /**
   * The version of the projection code that built the stored read model (it changes with a
   * rebuild), as of the last table read; 0 before the first.
   */
  version(projection: string): number;
  /** How many reads are parked waiting for `projection` (a gauge; tests use it to sync). */
  waiting(projection: string): number;
  /** Positions per second over the last minute of observations (0 when idle or unknown). */
  rate(projection: string): number;
  /** Whether the LISTEN connection is up (for /ready). */
  isListening(): boolean;
  close(): Promise<void>;
}

export interface CheckpointTrackerOptions {
  readonly connectionString: string;
  /** Safety re-read interval; the LISTEN path is what makes reads fast. */
  readonly refreshMs?: number;
  /** First reconnect delay; doubles up to 5 s. */
  readonly reconnectMs?: number;
  readonly onError?: (error: unknown) => void;
}

interface Waiter {
  readonly min: bigint;
  readonly resolve: (position: bigint | undefined) => void;
  timer?: NodeJS.Timeout;
}

interface Sample {
  readonly at: number;
  readonly position: bigint;
}

const RATE_WINDOW_MS = 60_000;
const SAMPLE_SPACING_MS = 250;

export function createCheckpointTracker(options: CheckpointTrackerOptions): CheckpointTracker {
  const refreshMs = options.refreshMs ?? 1000;
  const firstReconnectMs = options.reconnectMs ?? 100;
  const positions = new Map<string, bigint>();
  const versions = new Map<string, number>();
  const waiters = new Map<string, Set<Waiter>>();
  const samples = new Map<string, Sample[]>();
  // Counts notifications; a table read that raced one must not move that projection back.
  const notified = new Map<string, number>();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let refreshing = false;
  let reconnectDelay = firstReconnectMs;
  let refreshTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const report = (e: unknown) => options.onError?.(e);

  function record(projection: string, position: bigint): void {
    positions.set(projection, position);
    const now = Date.now();
    const list = samples.get(projection) ?? [];
    // One sample per SAMPLE_SPACING_MS at most, so a busy projector (hundreds of batches a
    // second) keeps this list at a few hundred entries; the newest is always overwritten.
    const newest = list[list.length - 1];
    const previous = list[list.length - 2];
    if (newest && previous && now - previous.at < SAMPLE_SPACING_MS) list.pop();
    list.push({ at: now, position });
    while (list.length > 2 && list[0]!.at < now - RATE_WINDOW_MS) list.shift();
    samples.set(projection, list);
    const pending = waiters.get(projection);
    if (!pending) return;
    for (const waiter of pending) {
      if (position < waiter.min) continue;
      pending.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(position);
    }
  }

  function onNotification(message: pg.Notification): void {
    if (message.channel !== CHECKPOINT_CHANNEL || !message.payload) return;
    const at = message.payload.lastIndexOf(':');
    const projection = message.payload.slice(0, at);
    const digits = message.payload.slice(at + 1);
    if (at <= 0 || !/^[0-9]{1,19}$/.test(digits)) return;
    notified.set(projection, (notified.get(projection) ?? 0) + 1);
    // Taken as is, not as a maximum: a rebuild moves a checkpoint back, and reads must then
    // wait for the rebuilt model rather than trust positions it no longer has.
    record(projection, BigInt(digits));
  }

  async function refresh(): Promise<void> {
    const c = client;
    if (!c || refreshing) return;
    refreshing = true;
    const seen = new Map(notified);
    try {
      const result = await c.query<{ name: string; position: string; version: number }>(
        'select name, position::text as position, version from projections.checkpoints',
      );
      for (const row of result.rows) {
        versions.set(row.name, row.version);
        const known = positions.get(row.name);
        const table = BigInt(row.position);
        // A notification that arrived while this read was in flight is newer than the table
        // row we read: then only move forward. Otherwise the table is the truth.
        const raced = (notified.get(row.name) ?? 0) !== (seen.get(row.name) ?? 0);
        if (known === undefined || known !== table) {
          if (!raced || known === undefined || table > known) record(row.name, table);
        }
      }
    } catch (e) {
      // Before the projectors' migrations ran there is no table yet: nothing is known.
      if (!(typeof e === 'object' && e !== null && 'code' in e && e.code === '42P01')) report(e);
    } finally {
      refreshing = false;
    }
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({
      connectionString: options.connectionString,
      application_name: 'techflow-query-checkpoints',
    });
    c.on('notification', onNotification);
    c.on('error', (e) => {
      report(e);
      dropAndReconnect(c);
    });
    c.on('end', () => dropAndReconnect(c));
    await c.connect();
    // LISTEN before the first read: nothing committed in between can be missed.
    await c.query(`listen ${c.escapeIdentifier(CHECKPOINT_CHANNEL)}`);
    client = c;
    listening = true;
    reconnectDelay = firstReconnectMs;
    await refresh();
  }

  function dropAndReconnect(c: pg.Client): void {
    if (client !== c) return;
    client = undefined;
    listening = false;
    c.end().catch(() => undefined);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch((e) => {
        report(e);
        reconnectDelay = Math.min(reconnectDelay * 2, 5000);
        scheduleReconnect();
      });
    }, reconnectDelay);
    reconnectTimer.unref();
  }

  return {
    async start() {
      await connect();
      refreshTimer = setInterval(() => {
        refresh().catch(report);
      }, refreshMs);
      refreshTimer.unref();
    },

    position: (projection) => positions.get(projection) ?? 0n,

    version: (projection) => versions.get(projection) ?? 0,

    waitFor(projection, min, timeoutMs, signal) {
      const now = positions.get(projection) ?? 0n;
      if (now >= min) return Promise.resolve(now);
      if (timeoutMs <= 0 || closed || signal?.aborted) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const set = waiters.get(projection) ?? new Set<Waiter>();
        waiters.set(projection, set);
        const giveUp = () => {
          set.delete(waiter);
          clearTimeout(waiter.timer);
          signal?.removeEventListener('abort', giveUp);
          resolve(undefined);
        };
        const waiter: Waiter = {
          min,
          resolve: (position) => {
            signal?.removeEventListener('abort', giveUp);
            resolve(position);
          },
        };
        set.add(waiter);
        waiter.timer = setTimeout(giveUp, timeoutMs);
        signal?.addEventListener('abort', giveUp, { once: true });
      });
    },

    rate(projection) {
      const list = samples.get(projection);
      const first = list?.[0];
      const last = list?.[list.length - 1];
      if (!first || !last || last.at <= first.at || last.position <= first.position) return 0;
      if (Date.now() - last.at > RATE_WINDOW_MS) return 0;
      return Number(last.position - first.position) / ((last.at - first.at) / 1000);
    },

    waiting: (projection) => waiters.get(projection)?.size ?? 0,

    isListening: () => listening,

    async close() {
      closed = true;
      clearInterval(refreshTimer);
      clearTimeout(reconnectTimer);
      for (const set of waiters.values()) {
        for (const waiter of set) {
          clearTimeout(waiter.timer);
          waiter.resolve(undefined);
        }
      }
      waiters.clear();
      const c = client;
      client = undefined;
      listening = false;
      await c?.end().catch(() => undefined);
    },
  };
}
