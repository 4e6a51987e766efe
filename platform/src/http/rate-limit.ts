import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { problem } from './errors.js';
import { SharedCounters, sharedCountersStore } from './shared-counters.js';

export interface RateLimitPluginOptions {
  /** Counters live here when given (shared by every instance of every service), else in memory. */
  readonly redis?: Redis;
  /** Prefix of the Redis keys; tests pass a unique one. */
  readonly nameSpace?: string;
  /** How often the counts are shared through Redis (SharedCounters); default 100 ms. */
  readonly syncEveryMs?: number;
}

/**
 * Registers @fastify/rate-limit with no global limit: routes pick theirs with the hooks below.
 * With Redis the counts are shared by every instance without a round trip per request
 * (SharedCounters); a Redis outage leaves each instance limiting on its own counts.
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitPluginOptions) => {
    const { redis } = options;
    if (!redis) {
      await app.register(fastifyRateLimit, { global: false });
      return;
    }
    const counters = new SharedCounters({
      redis,
      prefix: options.nameSpace ?? 'techflow-rl:',
      ...(options.syncEveryMs === undefined ? {} : { syncEveryMs: options.syncEveryMs }),
    });
    app.addHook('onClose', () => counters.close().catch(() => undefined));
    await app.register(fastifyRateLimit, {
      global: false,
      skipOnError: true,
      store: sharedCountersStore(counters),
    });
  },
  { name: 'techflow-rate-limit', fastify: '5.x' },
);

interface Limit {
  readonly name: string;
  readonly max: number;
  readonly key: (request: FastifyRequest) => string;
}

type Check = ReturnType<FastifyInstance['createRateLimit']>;
type Outcome = Extract<Awaited<ReturnType<Check>>, { isAllowed: false }>;

/**
 * One hook for several limits, narrowest first: a request is counted against a wider limit
 * only once the narrower ones let it through, so one user hammering away past their own
 * limit does not spend the whole tenant's. The draft RateLimit-* headers describe the
 * tightest limit; a 429 names the one exceeded.
 */
const limitsHook = (app: FastifyInstance, limits: readonly Limit[], windowMs: number) => {
  const checks = limits.map((l) => ({
    name: l.name,
    check: app.createRateLimit({ max: l.max, timeWindow: windowMs, keyGenerator: l.key }),
  }));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    let tightest: { name: string; outcome: Outcome } | undefined;
    for (const { name, check } of checks) {
      const outcome = await check(request);
      if (outcome.isAllowed) continue;
      if (outcome.isExceeded) {
        const reset = String(Math.max(1, outcome.ttlInSeconds));
        throw problem('rate_limited', `Too many requests for this ${name}; retry in ${reset} s`, {
          'retry-after': reset,
          'ratelimit-limit': String(outcome.max),
          'ratelimit-remaining': '0',
          'ratelimit-reset': reset,
        });
      }
      if (!tightest || outcome.remaining < tightest.outcome.remaining) {
        tightest = { name, outcome };
      }
    }
    if (tightest) {
      const { outcome } = tightest;
      reply.header('ratelimit-limit', outcome.max);
      reply.header('ratelimit-remaining', outcome.remaining);
      reply.header('ratelimit-reset', outcome.ttlInSeconds);
    }
  };
};

export interface PrincipalLimits {
  readonly perUserPerMinute: number;
  readonly perTenantPerMinute: number;
  /** Default one minute; the names say per minute, tests may shorten it. */
  readonly windowMs?: number;
}

/** Per user and per tenant; register after `authenticate` (it reads request.principal). */
export const principalRateLimit = (app: FastifyInstance, limits: PrincipalLimits) =>
  limitsHook(
    app,
    [
      { name: 'user', max: limits.perUserPerMinute, key: (r) => `user:${r.principal.userId}` },
      {
        name: 'tenant',
        max: limits.perTenantPerMinute,
        key: (r) => `tenant:${r.principal.tenantId}`,
      },
    ],
    limits.windowMs ?? 60_000,
  );

/** Per client IP, for unauthenticated routes (signup, login): stricter, against guessing. */
export const ipRateLimit = (app: FastifyInstance, perMinute: number, windowMs = 60_000) =>
  limitsHook(app, [{ name: 'address', max: perMinute, key: (r) => `ip:${r.ip}` }], windowMs);
