import fastifyHttpProxy from '@fastify/http-proxy';
import { problem } from '@techflow/platform/http';
import type { FastifyInstance } from 'fastify';
import { bodyTooLargeIn } from './counted-body.js';
import { forwardedHeaders } from './forwarding.js';
import type { OriginRoutes } from './origin-routes.js';
import { fromHttpProblem, sendProblem } from './problem.js';
import { judgeUpstreamMiss } from './route-miss.js';
import type { Upstream } from './upstream.js';

export interface ProxyRoute {
  readonly upstream: Upstream;
  /** Path prefix on the origin. */
  readonly prefix: string;
  /** Path prefix on the upstream (defaults to `prefix`). */
  readonly rewritePrefix?: string;
  readonly methods: readonly string[];
  /** Which of `prefix` and `prefix/*` to match (default both). */
  readonly routes?: readonly string[];
  /** The origin's routes: the service's 404s and 405s are judged by them (route-miss.ts). */
  readonly origin?: OriginRoutes;
}

const statusOf = (error: Error): number | undefined =>
  'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;

/**
 * Proxies one prefix and method set to an upstream, streaming bodies both ways (the plugin
 * parses no body: request streams go to undici through counted-body.ts's counter). Every
 * request header but the hop-by-hop ones, Expect and the client's claims about who and where it
 * is passes (forwarding.ts), so Authorization, Idempotency-Key, X-Min-Position and
 * Last-Event-ID reach the service unchanged.
 */
export async function registerProxy(app: FastifyInstance, route: ProxyRoute): Promise<void> {
  const { upstream } = route;
  await app.register(fastifyHttpProxy, {
    upstream: upstream.url,
    prefix: route.prefix,
    rewritePrefix: route.rewritePrefix ?? route.prefix,
    httpMethods: [...route.methods],
    ...(route.routes ? { routes: [...route.routes] } : {}),
    // The gateway logs no line per request (the services do); reply-from would add two more.
    disableRequestLogging: true,
    undici: {
      // 64 requests in flight is the benchmark's load (docs/BENCH.md); leave headroom.
      connections: 128,
      pipelining: 1,
      // Server-Sent Events (GET /v1/events/stream) stay open with gaps between events; the
      // service's heartbeat keeps them alive, not a proxy timer.
      bodyTimeout: 0,
    },
    replyOptions: {
      // reply-from retries a GET that got 503 up to 10 times by default. A 503 from a service
      // is an answer (stale_read_model after its own 5 s wait, /ready naming a dependency):
      // retrying it would multiply the wait and hide the reason.
      retryDelay: () => null,
      onResponse: (request, reply, res) => {
        if (route.origin && (res.statusCode === 404 || res.statusCode === 405)) {
          judgeUpstreamMiss(route.origin, request, reply, res).catch((e: unknown) => reply.send(e));
          return;
        }
        reply.send(res.stream);
      },
      // request.ip, .protocol and .host believe X-Forwarded-* only from trusted peers.
      rewriteRequestHeaders: (request, headers) => forwardedHeaders(request, headers),
      onError: (reply, { error }) => {
        const tooLarge = bodyTooLargeIn(error);
        if (tooLarge) {
          sendProblem(reply, fromHttpProblem(problem('payload_too_large', tooLarge.message)));
          return;
        }
        const status = statusOf(error) === 504 ? 504 : 502;
        sendProblem(reply, {
          status,
          code: 'upstream_unavailable',
          title: status === 504 ? 'Gateway Timeout' : 'Bad Gateway',
          detail: `the ${upstream.name} service did not answer: ${error.message}`,
          upstream: upstream.name,
        });
      },
    },
  });
}
