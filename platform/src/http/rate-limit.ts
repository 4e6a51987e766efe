import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { HttpProblem, problem } from './errors.js';
import { SharedCounters, sharedCountersStore } from './shared-counters.js';

export interface RateLimitPluginOptions {
  /** Counters live here when given (shared by every instance of every service), else in memory. */
  readonly redis?: Redis;
  /** REDIS_KEY_PREFIX: the counters' keys are `<prefix>rl:<limit>:<who>`. */
  readonly redisKeyPrefix: string;
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
      prefix: `${options.redisKeyPrefix}rl:`,
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

/** 429 with Retry-After and the draft RateLimit-* headers; `detail` gets "retry in N s". */
const rateLimited = (detail: string, max: number, resetSeconds: number): HttpProblem => {
  const reset = String(Math.max(1, resetSeconds));
  return problem('rate_limited', `${detail}; retry in ${reset} s`, {
    'retry-after': reset,
    'ratelimit-limit': String(max),
    'ratelimit-remaining': '0',
    'ratelimit-reset': reset,
  });
};

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
        throw rateLimited(`Too many requests for this ${name}`, outcome.max, outcome.ttlInSeconds);
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

const BLOCKED_ADDRESSES_KEPT = 10_000;

/**
 * `authenticate` with a per-address limit on its refusals: an address that sent more than
 * `perMinute` missing, expired, forged or unknown tokens in a window gets 429 `rate_limited`
 * instead of 401 for its bad tokens until the window ends, and those are not counted again.
 * Its valid tokens still pass: one client guessing must not lock out everyone else behind the
 * same address (an office, a carrier's NAT), and valid callers are limited per user and per
 * tenant after this. While blocked, a token already verified costs a map look-up
 * (VerifiedTokens in auth.ts) and a missing or malformed one no signature check; only a
 * well-formed token never seen is verified, as it would be without the block. The shared
 * counter is asked only on a refusal; the "blocked until" answer is kept in this process.
 */
export const authenticateWithFailureLimit = (
  app: FastifyInstance,
  perMinute: number,
  windowMs = 60_000,
) => {
  const check = app.createRateLimit({
    max: perMinute,
    timeWindow: windowMs,
    keyGenerator: (r) => `auth-failures:${r.ip}`,
  });
  const blockedUntil = new Map<string, number>();
  const refuse = (untilMs: number, now: number) =>
    rateLimited(
      'Too many requests with a missing or invalid token from this address',
      perMinute,
      Math.ceil((untilMs - now) / 1000),
    );
  /** When the address's block ends, if it is blocked now. */
  const blockOf = (ip: string, now: number): number | undefined => {
    const until = blockedUntil.get(ip);
    if (until === undefined || until > now) return until;
    blockedUntil.delete(ip);
    return undefined;
  };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await app.authenticate(request, reply);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.code !== 'unauthenticated') throw error;
      const now = Date.now();
      const until = blockOf(request.ip, now);
      if (until !== undefined) throw refuse(until, now);
      const outcome = await check(request);
      if (outcome.isAllowed || !outcome.isExceeded) throw error;
      if (blockedUntil.size >= BLOCKED_ADDRESSES_KEPT) {
        for (const [ip, t] of blockedUntil) if (t <= now) blockedUntil.delete(ip);
      }
      const blocked = now + Math.max(1, outcome.ttlInSeconds) * 1000;
      if (blockedUntil.size < BLOCKED_ADDRESSES_KEPT) blockedUntil.set(request.ip, blocked);
      throw refuse(blocked, now);
    }
  };
};

/** Per client IP, for unauthenticated routes (signup, login): stricter, against guessing. */
export const ipRateLimit = (app: FastifyInstance, perMinute: number, windowMs = 60_000) =>
  limitsHook(app, [{ name: 'address', max: perMinute, key: (r) => `ip:${r.ip}` }], windowMs);
