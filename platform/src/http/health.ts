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
  { status: Type.Literal('ok'), checks: Type.Array(Type.String()) },
  { additionalProperties: false },
);

/** GET /health (the process answers) and GET /ready (its dependencies answer too). */
export const healthPlugin = fp(
  async (app: FastifyInstance, options: HealthOptions) => {
    const checks = Object.entries(options.checks ?? {});
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
        const results = await Promise.allSettled(
          checks.map(([, check]) => withTimeout(check, timeoutMs)),
        );
        const failing = checks
          .filter((_, i) => results[i]?.status === 'rejected')
          .map(([name]) => name);
        if (failing.length > 0) {
          request.log.warn({ failing }, 'not ready');
          return sendProblem(reply, problem('not_ready', `not reachable: ${failing.join(', ')}`));
        }
        return { status: 'ok' as const, checks: checks.map(([name]) => name) };
      },
    );
  },
  { name: 'techflow-health', fastify: '5.x' },
);
