import { Redis } from 'ioredis';

export interface RedisEvents {
  /** Once per outage, with its first error (ioredis itself would print every retry's). */
  readonly onDown?: (error: unknown) => void;
  /** When it answers again after an outage. */
  readonly onUp?: () => void;
}

/**
 * The Redis client services share rate-limit counters through. Auto-pipelining sends every
 * command issued in the same tick in one socket write: with two counters per request, one
 * write syscall per command cost the command service about a tenth of its CPU. Its errors
 * are reported once per outage through `events`: without a listener ioredis prints a
 * non-JSON line per reconnect attempt.
 */
export function createRedis(url: string, events: RedisEvents = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    // A Redis that stops answering without closing the socket raises no error: a request
    // joining a rate-limit window waits at most this long before counting locally.
    commandTimeout: 1000,
  });
  let down = false;
  redis.on('error', (error: unknown) => {
    if (down) return;
    down = true;
    events.onDown?.(error);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    events.onUp?.();
  });
  return redis;
}

/** For /ready: a client that is not connected fails at once instead of queueing a PING. */
export const redisAnswers = (redis: Redis): Promise<unknown> =>
  redis.status === 'ready' ? redis.ping() : Promise.reject(new Error(`redis is ${redis.status}`));

/** The slice of a logger a service's Redis reports to (pino and Fastify's logger fit). */
export interface RedisLog {
  warn(obj: object, msg: string): void;
  info(msg: string): void;
}

/**
 * A service's Redis, created before its app (the app takes it as a dependency), with its
 * outages reported to the app's logger once `logTo` hands it over. Undefined without a URL:
 * Redis is optional, and the limits then count per instance.
 */
export function createServiceRedis(url: string | undefined): {
  readonly redis: Redis | undefined;
  logTo(log: RedisLog): void;
} {
  let log: RedisLog | undefined;
  // An outage that began before the logger arrived is reported when it does.
  let untold: { error: unknown } | undefined;
  const down = (error: unknown) =>
    log?.warn({ err: error }, 'redis unreachable; rate limits count per instance');
  const redis = url
    ? createRedis(url, {
        onDown: (error) => {
          if (log) down(error);
          else untold = { error };
        },
        onUp: () => {
          if (log) log.info('redis reachable again');
          untold = undefined;
        },
      })
    : undefined;
  return {
    redis,
    logTo(next) {
      log = next;
      if (untold) down(untold.error);
      untold = undefined;
    },
  };
}
