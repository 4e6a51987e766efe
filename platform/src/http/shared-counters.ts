import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis, Result } from 'ioredis';

/**
 * Adds a batch of one instance's increments to a fixed-window counter and answers the shared
 * total and the window's remaining time. The window starts at the first increment that
 * reaches Redis, as in @fastify/rate-limit's own Redis store.
 */
const ADD_SCRIPT = `
local current = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {current, ttl}
`;

interface Window {
  readonly windowMs: number;
  expiresAt: number;
  /** The shared total as Redis last answered it (this instance's acknowledged share included). */
  synced: number;
  /** This instance's increments on their way to Redis. */
  sending: number;
  /** This instance's increments not sent yet. */
  pending: number;
  /** The window's first increment, on its way to Redis. */
  joining: Promise<void> | null;
}

export interface SharedCountersOptions {
  readonly redis: Redis;
  /** Prefix of the Redis keys. */
  readonly prefix: string;
  /** How often local increments are added to Redis and the totals read back; default 100 ms. */
  readonly syncEveryMs?: number;
  /** Wall clock in ms; tests pass their own. */
  readonly now?: () => number;
}

export interface Count {
  readonly current: number;
  /** Milliseconds left in the window. */
  readonly ttl: number;
}

/**
 * Fixed-window counters shared by every instance through Redis without a round trip per
 * request: an increment is decided on the local estimate (the shared total Redis last
 * reported plus this instance's increments since), and the increments travel to Redis in one
 * pipeline per `syncEveryMs`. Two counters per request awaited in Redis cost the command
 * service a fifth of its throughput; the price is that each instance may admit up to one
 * sync interval of requests beyond a limit the others have already used up. When Redis is
 * unreachable the counts stay local and are sent once it answers again, so each instance
 * still enforces the limit on its own traffic.
 */
export class SharedCounters {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #syncEveryMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #syncing: Promise<void> | null = null;
  #lastSweep = 0;
  #closed = false;
  /** Between an error and the next `ready`: no request waits on Redis then. */
  #redisDown = false;

  constructor(options: SharedCountersOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#syncEveryMs = options.syncEveryMs ?? 100;
    this.#now = options.now ?? Date.now;
    if (typeof this.#redis.techflowRateAdd !== 'function') {
      this.#redis.defineCommand('techflowRateAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
    }
    // A command sent while Redis is away waits out the client's reconnect attempts (seconds).
    this.#redis.on('error', () => {
      this.#redisDown = true;
    });
    this.#redis.on('ready', () => {
      this.#redisDown = false;
    });
  }

  /**
   * Counts one request under `key` and answers the window's estimated total. A window this
   * instance has not seen yet is asked of Redis first (one round trip per key and window), so
   * an instance joins a window others have filled knowing how full it is.
   */
  increment(key: string, windowMs: number): Count | Promise<Count> {
    const now = this.#now();
    let w = this.#windows.get(key);
    if (!w || w.expiresAt <= now || w.windowMs !== windowMs) {
      const fresh: Window = {
        windowMs,
        expiresAt: now + windowMs,
        synced: 0,
        sending: 0,
        pending: 0,
        joining: null,
      };
      this.#windows.set(key, fresh);
      if (!this.#redisDown) {
        fresh.sending = 1;
        fresh.joining = this.#redis
          .techflowRateAdd(this.#prefix + key, 1, windowMs)
          .then(
            ([current, ttl]) => {
              fresh.synced = Number(current);
              fresh.expiresAt = this.#now() + Number(ttl);
            },
            () => {
              fresh.pending += 1;
              this.#dirty.add(key);
              this.#schedule();
            },
          )
          .finally(() => {
            fresh.sending -= 1;
            fresh.joining = null;
          });
        return fresh.joining.then(() => this.#estimate(fresh));
      }
      // Redis away: counted here and sent once it answers again; the request does not wait.
      w = fresh;
    }
    w.pending += 1;
    this.#dirty.add(key);
    this.#schedule();
    return w.joining ? w.joining.then(() => this.#estimate(w)) : this.#estimate(w);
  }

  #estimate(w: Window): Count {
    return {
      current: w.synced + w.sending + w.pending,
      ttl: Math.max(0, w.expiresAt - this.#now()),
    };
  }

  /** The window's estimated total without counting a request. */
  read(key: string): Count {
    const now = this.#now();
    const w = this.#windows.get(key);
    if (!w || w.expiresAt <= now) return { current: 0, ttl: 0 };
    return this.#estimate(w);
  }

  /** Sends what is pending now (tests, shutdown) and resolves once Redis has answered. */
  async sync(): Promise<void> {
    while (this.#syncing) await this.#syncing;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#syncing = this.#send().finally(() => {
      this.#syncing = null;
      if (this.#dirty.size > 0) this.#schedule();
    });
    await this.#syncing;
  }

  /** Sends the last increments; counts made afterwards stay local. */
  async close(): Promise<void> {
    await this.sync();
    this.#closed = true;
  }

  #schedule() {
    if (this.#timer || this.#syncing || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.sync().catch(() => undefined);
    }, this.#syncEveryMs);
    this.#timer.unref();
  }

  async #send(): Promise<void> {
    this.#sweep();
    // Kept for the first sync after Redis is back (the next increment schedules one).
    if (this.#redisDown) return;
    const sent: { key: string; w: Window; n: number }[] = [];
    const pipeline = this.#redis.pipeline();
    const later: string[] = [];
    const sentAt = this.#now();
    for (const key of this.#dirty) {
      const w = this.#windows.get(key);
      if (!w || w.pending === 0 || w.expiresAt <= sentAt) continue;
      // A window's first increment is sent on its own: the rest follow its answer.
      if (w.joining) {
        later.push(key);
        continue;
      }
      const n = w.pending;
      w.pending = 0;
      w.sending += n;
      sent.push({ key, w, n });
      pipeline.techflowRateAdd(this.#prefix + key, n, w.windowMs);
    }
    this.#dirty.clear();
    for (const key of later) this.#dirty.add(key);
    if (sent.length === 0) return;
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch {
      results = null;
    }
    const now = this.#now();
    for (const [i, { key, w, n }] of sent.entries()) {
      w.sending -= n;
      const [error, answer] = results?.[i] ?? [new Error('no answer'), null];
      const current = this.#windows.get(key) === w;
      if (error || !Array.isArray(answer)) {
        // Not counted in Redis: keep counting it here and send it again with the next batch.
        if (current) {
          w.pending += n;
          this.#dirty.add(key);
        }
        continue;
      }
      if (!current) continue;
      w.synced = Number(answer[0]);
      w.expiresAt = now + Number(answer[1]);
    }
  }

  /** Forgets expired windows, at most once per second. */
  #sweep() {
    const now = this.#now();
    if (now - this.#lastSweep < 1000) return;
    this.#lastSweep = now;
    for (const [key, w] of this.#windows) {
      // Counts of a window that has ended are of no use to any later one: sent now they
      // would open a new window in Redis already full of them.
      if (w.expiresAt <= now) this.#windows.delete(key);
    }
  }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    techflowRateAdd(key: string, n: number, windowMs: number): Result<[number, number], Context>;
  }
}

/** @fastify/rate-limit's store interface over shared counters (every limit shares them). */
export function sharedCountersStore(counters: SharedCounters): FastifyRateLimitStoreCtor {
  const store: FastifyRateLimitStore = {
    incr(key, callback, timeWindow) {
      const count = counters.increment(key, timeWindow);
      if (!('then' in count)) callback(null, count);
      else count.then((c) => callback(null, c), callback);
    },
    child: () => store,
  };
  return class {
    constructor() {
      // biome-ignore lint/correctness/noConstructorReturn: the plugin constructs its store; all share one.
      return store;
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
