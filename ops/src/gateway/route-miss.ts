import type { Readable } from 'node:stream';
import { methodNotAllowed, pathOf } from '@techflow/platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OriginRoutes } from './origin-routes.js';
import { fromHttpProblem, type ProblemReply, sendNotFound, sendProblem } from './problem.js';

/** The slice of a request and reply the judgement uses (any server flavour: proxy hooks). */
interface MissRequest {
  readonly method: string;
  readonly url: string;
  readonly raw: { readonly complete: boolean };
}
interface MissReply extends ProblemReply {
  header(name: string, value: string): MissReply;
  getHeaders(): Record<string, unknown>;
  removeHeader(name: string): MissReply;
  send(payload?: unknown): MissReply;
}

/** 405 (OPTIONS: 204) with the origin's Allow, or the origin's 404 when `allow` is empty. */
function answer(request: MissRequest, reply: MissReply, allow: readonly string[]): void {
  if (allow.length === 0) {
    sendNotFound(request, reply);
    return;
  }
  if (request.method === 'OPTIONS') {
    reply.header('allow', allow.join(', ')).code(204).send();
    return;
  }
  const p = methodNotAllowed(request.method, request.url, allow);
  for (const [name, value] of Object.entries(p.headers)) reply.header(name, value);
  sendProblem(reply, fromHttpProblem(p));
}

/**
 * The origin's not-found handler: a method the gateway routes nowhere (OPTIONS, TRACE, ...)
 * on a path the origin documents is 405 with the origin's Allow (OPTIONS 204), as on each
 * service; anything else, or while the documents cannot be read, 404.
 */
export const routeMissHandler =
  (routes: OriginRoutes) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const allow = (await routes.allowed(pathOf(request.url))) ?? [];
    const routed = request.method !== 'OPTIONS' && allow.includes(request.method);
    answer(request, reply, routed ? [] : allow);
  };

/**
 * A service's 404 or 405, judged by the whole origin: each service knows only its own routes,
 * so the command service answers DELETE /v1/accounts/:id with 404 (it has no route there)
 * where the origin has GET, and GET /metrics with 405 where the origin publishes nothing.
 * When the origin routes the method at that path, the 404 is the service's own word (no such
 * account) and passes; otherwise the answer is the origin's 405 with Allow, or its 404. While
 * the documents cannot be read the service's answer passes as it is.
 */
export async function judgeUpstreamMiss(
  routes: OriginRoutes,
  request: MissRequest,
  reply: MissReply,
  upstream: { readonly statusCode: number; readonly stream: Readable },
): Promise<void> {
  const allow = await routes.allowed(pathOf(request.url));
  const passes =
    allow === undefined ||
    allow.includes(request.method) ||
    (allow.length === 0 && upstream.statusCode === 404);
  if (passes) {
    reply.send(upstream.stream);
    return;
  }
  // The service's headers were copied onto the reply already; only its request id stays, so
  // its log line can still be found.
  for (const name of Object.keys(reply.getHeaders())) {
    if (name !== 'x-request-id') reply.removeHeader(name);
  }
  // Read to its end, so the pooled connection to the service can carry the next request.
  upstream.stream.resume();
  // reply-from's own rule, whose header went with the rest: an unread body ends the connection.
  if (!request.raw.complete) reply.header('connection', 'close');
  answer(request, reply, allow);
}
