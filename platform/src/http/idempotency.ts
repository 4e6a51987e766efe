import { hash } from 'node:crypto';
import { canonicalUuid, UUID_PATTERN } from '@techflow/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../canonical-json.js';
import type { IdempotencyRecord, JsonObject } from '../event-store/port.js';
import { problem } from './errors.js';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

// Printable ASCII, as the IETF draft's examples; long enough for a UUID or a client's own scheme.
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * sha256 of method, path and canonical body. The concrete path (ids included) is hashed, not
 * the route pattern: the same key sent to another account is another request. Callers pass
 * the path with its ids in canonical form (canonicalPathOf).
 */
export const requestHash = (method: string, path: string, body: unknown): string =>
  hash('sha256', `${method.toUpperCase()}\n${path}\n${canonicalJson(body ?? null)}`, 'hex');

/** The request's Idempotency-Key, or undefined; a malformed key is a 400. */
export const idempotencyKeyOf = (request: FastifyRequest): string | undefined => {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY.test(raw)) {
    throw problem('validation_failed', 'Idempotency-Key must be 1 to 255 printable characters');
  }
  return raw;
};

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
};

/** A UUID parameter in the one form routes read it in; anything else as it came. */
const canonicalParam = (value: string): string => {
  const id = canonicalUuid(value);
  return UUID_PATTERN.test(id) ? id : value;
};

/**
 * The path as the route reads it: its pattern with every parameter in canonical form, so
 * `/v1/accounts/0B9F…/deposits` and `/v1/accounts/urn:uuid:0b9f…/deposits`, one account to
 * the route, are one request to the key too. A lower-case path hashes as it did before.
 */
const canonicalPathOf = (request: FastifyRequest): string => {
  const pattern = request.routeOptions.url;
  const params = request.params as Record<string, unknown> | undefined;
  if (!pattern || !params) return pathOf(request.url);
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => {
    const value = params[name];
    return typeof value === 'string' ? canonicalParam(value) : whole;
  });
};

/** What a command needs to remember its answer: everything but the answer itself. */
export interface PendingIdempotency {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

/** The pending record for this request, or undefined when it carries no Idempotency-Key. */
export const pendingIdempotency = (
  request: FastifyRequest,
  scope: string,
): PendingIdempotency | undefined => {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return undefined;
  return {
    scope,
    key,
    requestHash: requestHash(request.method, canonicalPathOf(request), request.body),
  };
};

export const idempotencyRecord = (
  pending: PendingIdempotency,
  status: number,
  body: JsonObject,
): IdempotencyRecord => ({ ...pending, status, body });

/** 409 `idempotency_key_reused`: the key was first used with another request. */
export const idempotencyKeyReused = () =>
  problem(
    'idempotency_key_reused',
    'This Idempotency-Key was first used with another method, path or body',
  );

/**
 * Answers with a remembered response, or 409 when the key came with another request.
 * Problem bodies (remembered 4xx answers) keep their problem+json content type.
 */
export const replayRecord = (
  reply: FastifyReply,
  pending: PendingIdempotency,
  stored: IdempotencyRecord,
  body: JsonObject = stored.body,
): FastifyReply => {
  if (stored.requestHash !== pending.requestHash) throw idempotencyKeyReused();
  reply.header(REPLAYED_HEADER, 'true');
  if (stored.status >= 400) reply.type(PROBLEM_CONTENT_TYPE);
  return reply.code(stored.status).send(body);
};
