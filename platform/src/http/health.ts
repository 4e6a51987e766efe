import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { problem } from './errors.js';
import { sendProblem } from './problem-json.js';
import { quietLevel } from './quiet-level.js';

/** A readiness check: resolves when its dependency answers, rejects (or times out) otherwise. */
export type ReadyCheck = () => Promise<unknown>;

export interface HealthOptions {
  /** Named checks run by GET /ready, e.g. `{ postgres: () => pool.query('select 1') }`. */
  readonly checks?: Readonly<Record<string, ReadyCheck>>;
  /**
   * Checks of dependencies the service works without (Redis: limits then count per
   * instance): a failing one is named under `degraded` and /ready still answers 200, so an
   * orchestrator does not take every instance out for it.
   */
  readonly optional?: Readonly<Record<string, ReadyCheck>>;
  /** A check slower than this counts as failed; default 2000 ms. */
  readonly timeoutMs?: number;
}

const withTimeout = async (check: ReadyCheck, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const HealthBody = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
const ReadyBody = Type.Object(
  {
    status: Type.Literal('ok'),
    checks: Type.Array(Type.String()),
    degraded: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

/** GET /health (the process answers) and GET /ready (its dependencies answer too). */
export const healthPlugin = fp(
  async (app: FastifyInstance, options: HealthOptions) => {
    const checks = Object.entries(options.checks ?? {});
    const optional = Object.entries(options.optional ?? {});
    const timeoutMs = options.timeoutMs ?? 2000;
    app.get(
      '/health',
      { schema: { hide: true, response: { 200: HealthBody } }, logLevel: quietLevel(app) },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/ready',
      { schema: { hide: true, response: { 200: ReadyBody } }, logLevel: quietLevel(app) },
      async (request, reply) => {
        const all = [...checks, ...optional];
        const results = await Promise.allSettled(
          all.map(([, check]) => withTimeout(check, timeoutMs)),
        );
        const failed = (i: number) => results[i]?.status === 'rejected';
        const failing = checks.filter((_, i) => failed(i)).map(([name]) => name);
        const degraded = optional.filter((_, i) => failed(checks.length + i)).map(([n]) => n);
        if (failing.length > 0) {
          request.log.warn({ failing, degraded }, 'not ready');
          return sendProblem(reply, problem('not_ready', `not reachable: ${failing.join(', ')}`));
        }
        return {
          status: 'ok' as const,
          checks: all.filter((_, i) => !failed(i)).map(([name]) => name),
          ...(degraded.length > 0 ? { degraded } : {}),
        };
      },
    );
  },
  { name: 'techflow-health', fastify: '5.x' },
);
