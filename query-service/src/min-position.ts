import { CHECKPOINT_CHANNEL, HELD_TENANT_CHANNEL, type HeldTenantNotice } from '@techflow/platform';
import pg from 'pg';

/**
 * Knows how far each projection has got, so a read with `X-Min-Position` can wait for its own
 * write without polling: one dedicated connection LISTENs on CHECKPOINT_CHANNEL (the projectors
 * NOTIFY `<projection>:<position>` after each committed batch) and waiters are resolved as the
 * notifications arrive. A slow re-read of `projections.checkpoints` (every second, and after
 * every (re)connect) repairs anything a lost connection or a missed notification hid.
 *
 * A tenant a projection holds back (one of its events could not be applied) has its own,
 * lower position: how far its read model is complete. Asked with a tenant, `position` and
 * `waitFor` answer with that one, so reads never claim, or wait out, events the projection
 * skipped for it. Holds arrive on HELD_TENANT_CHANNEL, before any checkpoint that skipped.
 */
export interface CheckpointTracker {
  /** Connects, LISTENs and reads the checkpoints once; resolves when positions are known. */
  start(): Promise<void>;
  /**
   * The latest known checkpoint of `projection` (0 when it has none yet); with `tenantId`,
   * the position through which that tenant's read model is complete.
   */
  position(projection: string, tenantId?: string): bigint;
  /**
   * Resolves with the position (of `tenantId`'s read model, when given) once it is >= `min`,
   * or with undefined after `timeoutMs` or when `signal` aborts (the caller went away: nothing
   * stays parked for it). Answers at once, without a timer, when it already is.
   */
  waitFor(
    projection: string,
    min: bigint,
    timeoutMs: number,
    signal?: AbortSignal,
    tenantId?: string,
  ): Promise<bigint | undefined>;
  /**
   * Where `projection` holds `tenantId` back: the position through which its read model is
   * complete; undefined when it is not held.
   */
  heldAt(projection: string, tenantId: string): bigint | undefined;
  /** How many tenants `projection` holds back. */
  heldCount(projection: string): number;
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
  readonly tenantId: string | undefined;
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
  /** Per projection: held tenant -> position through which its read model is complete. */
  const held = new Map<string, Map<string, bigint>>();
  let heldNotified = 0;
  /**
   * False from a (re)connect until the first table read after it: notifications that come
   * meanwhile wait, so a hold made while disconnected is known before any checkpoint past it.
   */
  let synced = false;
  let pending: pg.Notification[] = [];
  let quiet = false;
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let refreshing = false;
  let reconnectDelay = firstReconnectMs;
  let refreshTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const report = (e: unknown) => options.onError?.(e);

  /** The position `tenantId`'s reads of `projection` may claim. */
  function effective(projection: string, tenantId: string | undefined): bigint {
    const checkpoint = positions.get(projection) ?? 0n;
    const through =
      tenantId === undefined ? undefined : held.get(projection)?.get(tenantId.toLowerCase());
    return through !== undefined && through < checkpoint ? through : checkpoint;
  }

  /** Resolves the waiters of `projection` whose position has been reached. */
  function wakeWaiters(projection: string): void {
    // While a (re)connect's state is applied, nobody is woken on a state half applied.
    if (quiet) return;
    const list = waiters.get(projection);
    if (!list) return;
    for (const waiter of list) {
      const position = effective(projection, waiter.tenantId);
      if (position < waiter.min) continue;
      list.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(position);
    }
  }

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
    wakeWaiters(projection);
  }

  function heldOf(projection: string): Map<string, bigint> {
    const tenants = held.get(projection) ?? new Map<string, bigint>();
    held.set(projection, tenants);
    return tenants;
  }

  function setHeld(projection: string, tenantId: string, through: bigint | null): void {
    // Readers are known by their token's tenant, a lower-case UUID; events may spell it
    // otherwise, and it is the same read model (tenantSchema lower-cases too).
    const tenant = tenantId.toLowerCase();
    if (through === null) held.get(projection)?.delete(tenant);
    else heldOf(projection).set(tenant, through);
    wakeWaiters(projection);
  }

  function onHeldNotification(payload: string): void {
    const notice = parseHeldNotice(payload);
    if (!notice) return;
    heldNotified++;
    const { projection, tenantId, appliedThrough } = notice;
    setHeld(projection, tenantId, appliedThrough === null ? null : BigInt(appliedThrough));
  }

  function onNotification(message: pg.Notification): void {
    if (!synced) {
      pending.push(message);
      return;
    }
    if (message.channel === HELD_TENANT_CHANNEL && message.payload) {
      onHeldNotification(message.payload);
      return;
    }
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

  /**
   * Reads the checkpoints and the held tenants in ONE statement, so both are of one snapshot:
   * read apart, a hold and the batch that skipped its tenant's events could commit between
   * the two reads, and the checkpoint be believed for a tenant not yet known to be held.
   * Holds are applied before checkpoints for the same reason.
   */
  async function refresh(): Promise<void> {
    const c = client;
    if (!c || refreshing) return;
    refreshing = true;
    const seen = new Map(notified);
    const heldSeen = heldNotified;
    try {
      const result = await c.query<{ checkpoints: CheckpointRow[]; held: HeldRow[] }>(SNAPSHOT);
      const row = result.rows[0];
      if (!row) return;
      // A hold notified while this read was in flight may be of a commit before the snapshot
      // (delivered after it), or after: the snapshot is then not trusted at all, holds or
      // checkpoints, and the next refresh reads again.
      if (heldNotified !== heldSeen) return;
      const before = [...held.keys()];
      held.clear();
      for (const h of row.held) {
        heldOf(h.projection).set(h.tenantId.toLowerCase(), BigInt(h.appliedThrough));
      }
      for (const projection of new Set([...before, ...held.keys()])) wakeWaiters(projection);
      for (const cp of row.checkpoints) {
        versions.set(cp.name, cp.version);
        const known = positions.get(cp.name);
        const table = BigInt(cp.position);
        // A notification that arrived while this read was in flight is newer than the table
        // row we read: then only move forward. Otherwise the table is the truth.
        const raced = (notified.get(cp.name) ?? 0) !== (seen.get(cp.name) ?? 0);
        if (known === undefined || known !== table) {
          if (!raced || known === undefined || table > known) record(cp.name, table);
        }
      }
    } catch (e) {
      // Before the projections' migrations ran there is no table yet: nothing is known.
      if (!isUndefinedTable(e)) report(e);
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
    // LISTEN before the first read: nothing committed in between can be missed. What an
    // earlier connection left queued is older than that read.
    synced = false;
    pending = [];
    await c.query(
      `listen ${c.escapeIdentifier(CHECKPOINT_CHANNEL)}; listen ${c.escapeIdentifier(HELD_TENANT_CHANNEL)}`,
    );
    client = c;
    listening = true;
    reconnectDelay = firstReconnectMs;
    // A read still running on the connection that dropped would make this one a no-op.
    while (refreshing) await new Promise((r) => setTimeout(r, 10));
    // The snapshot, then what was notified since LISTEN, in order, and only then are waiters
    // woken: some notifications predate the snapshot, and a state part way through them
    // (a tenant released, then held again) must release nobody.
    quiet = true;
    try {
      await refresh();
      synced = true;
      const queued = pending;
      pending = [];
      for (const message of queued) onNotification(message);
    } finally {
      quiet = false;
    }
    for (const projection of new Set([...waiters.keys()])) wakeWaiters(projection);
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

    position: (projection, tenantId) => effective(projection, tenantId),

    heldAt: (projection, tenantId) => held.get(projection)?.get(tenantId.toLowerCase()),

    heldCount: (projection) => held.get(projection)?.size ?? 0,

    version: (projection) => versions.get(projection) ?? 0,

    waitFor(projection, min, timeoutMs, signal, tenantId) {
      const now = effective(projection, tenantId);
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
          tenantId,
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

const isUndefinedTable = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && e.code === '42P01';

interface CheckpointRow {
  readonly name: string;
  readonly position: string;
  readonly version: number;
}

interface HeldRow {
  readonly projection: string;
  readonly tenantId: string;
  readonly appliedThrough: string;
}

const SNAPSHOT = `select
  (select coalesce(json_agg(json_build_object(
      'name', name, 'position', position::text, 'version', version)), '[]'::json)
    from projections.checkpoints) as checkpoints,
  (select coalesce(json_agg(json_build_object(
      'projection', projection, 'tenantId', tenant_id, 'appliedThrough', applied_through::text)),
      '[]'::json)
    from projections.held_tenants) as held`;

/** A HELD_TENANT_CHANNEL payload, or null when it is not one. */
function parseHeldNotice(payload: string): HeldTenantNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { projection, tenantId, appliedThrough } = value as Record<string, unknown>;
  if (typeof projection !== 'string' || typeof tenantId !== 'string') return null;
  if (
    appliedThrough !== null &&
    !(typeof appliedThrough === 'string' && /^[0-9]{1,19}$/.test(appliedThrough))
  ) {
    return null;
  }
  return { projection, tenantId, appliedThrough };
}
