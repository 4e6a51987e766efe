import { hash } from 'node:crypto';
import {
  idempotencyKeyOf,
  idempotencyKeyReused,
  problem,
  REPLAYED_HEADER,
} from '@techflow/platform/http';
import {
  abandonSealedResponse,
  claimSealedResponse,
  completeSealedResponse,
  type IdentityDb,
  type SealedAnswer,
  type SealedRequest,
} from '@techflow/platform/identity';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const PENDING = Symbol('techflow.sealedIdempotency');

declare module 'fastify' {
  interface FastifyRequest {
    [PENDING]?: SealedRequest;
  }
}

/**
 * Whose key it is: the credentials the body carries (the email of a signup or login, the
 * refresh token of a refresh or logout). Keys are the caller's own: two callers who pick the
 * same key never meet, and nobody can claim or probe a key for someone else.
 */
const callerOf = (body: unknown): string => {
  if (typeof body !== 'object' || body === null) return '';
  const { email, refreshToken } = body as { email?: unknown; refreshToken?: unknown };
  if (typeof refreshToken === 'string') return `token ${hash('sha256', refreshToken, 'hex')}`;
  if (typeof email === 'string') return `email ${email.toLowerCase()}`;
  return '';
};

/** Runs before a remembered answer is replayed; throws to refuse the replay instead. */
export type ReplayCheck = (request: FastifyRequest, answer: SealedAnswer) => Promise<void>;

/** Answers worth replaying: not a server failure, not a rate limit (both say "try again"). */
const keeps = (status: number) => status < 500 && status !== 429;

/**
 * `Idempotency-Key` for routes whose answers hold tokens (signup, login, refresh, logout):
 * the same key and body replay the first answer, byte for byte, with `Idempotent-Replayed`;
 * the key with another body is 409 `idempotency_key_reused`; a second request while the
 * first runs is 409 `idempotency_key_in_use`. The answers are stored sealed
 * (platform/src/identity/sealed-responses.ts). Registered in the routes' own plugin, after
 * validation (a malformed request remembers nothing) and after the rate limit.
 */
export function sealedIdempotency(
  app: FastifyInstance,
  identity: IdentityDb,
  /** Per route path: whether a remembered answer may still be given (see ReplayCheck). */
  replayChecks: Readonly<Record<string, ReplayCheck>> = {},
): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const key = idempotencyKeyOf(request);
    if (key === undefined) return;
    const sealed: SealedRequest = {
      scope: `${request.method} ${request.routeOptions.url} ${callerOf(request.body)}`,
      key,
      body: request.body,
    };
    const claim = await claimSealedResponse(identity, sealed);
    if (claim.kind === 'claimed') {
      request[PENDING] = sealed;
      return;
    }
    if (claim.kind === 'mismatch') throw idempotencyKeyReused();
    if (claim.kind === 'in_progress') {
      throw problem('idempotency_key_in_use', 'Retry once the first request has been answered');
    }
    const { answer } = claim;
    await replayChecks[request.routeOptions.url ?? '']?.(request, answer);
    reply.header(REPLAYED_HEADER, 'true');
    if (answer.contentType) reply.type(answer.contentType);
    return reply.code(answer.status).send(answer.payload);
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const sealed = request[PENDING];
    if (!sealed) return payload;
    request[PENDING] = undefined;
    if (!keeps(reply.statusCode) || (typeof payload !== 'string' && payload != null)) {
      await abandonSealedResponse(identity, sealed);
      return payload;
    }
    const contentType = reply.getHeader('content-type');
    try {
      await completeSealedResponse(identity, sealed, {
        status: reply.statusCode,
        contentType: typeof contentType === 'string' ? contentType : null,
        payload: payload ?? '',
      });
    } catch (err) {
      // The caller still gets its answer; its claim lapses and a retry runs the request again.
      request.log.warn({ err }, 'remembering an idempotent answer failed');
    }
    return payload;
  });
}
