import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type HttpProblem, problem } from './errors.js';
import { sendProblem } from './problem-json.js';

/** How an Allow header lists methods: reads, then writes, then the rest. */
const ALLOW_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const rank = (method: string): number => {
  const at = ALLOW_ORDER.indexOf(method);
  return at === -1 ? ALLOW_ORDER.length : at;
};

/**
 * The methods of an Allow header for a path routed under `routed`, or none when nothing but
 * OPTIONS is routed there (a CORS plugin's `OPTIONS *` routes every path; it must not turn
 * every unknown path into a 405). OPTIONS is always listed with the rest: whatever routes it,
 * sendRouteMiss answers it.
 */
export function allowList(routed: Iterable<string>): string[] {
  const methods = new Set(routed);
  if (![...methods].some((m) => m !== 'OPTIONS')) return [];
  methods.add('OPTIONS');
  return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Every method some route of `app` answers at `url`'s path, found by Fastify's own router
 * (encapsulated routes included, parameters and wildcards matched as a request's would be),
 * so an Allow built from it never disagrees with what a request would reach.
 */
export function routedMethods(app: FastifyInstance, url: string): string[] {
  return app.supportedMethods.filter((method) => app.findRoute({ method, url }) !== null);
}

/** A request URL without its query string. */
export const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;

/** 405 method_not_allowed for `method` on `url`, whose path routes `allow`, with Allow. */
export const methodNotAllowed = (
  method: string,
  url: string,
  allow: readonly string[],
): HttpProblem => {
  const header = allow.join(', ');
  return problem('method_not_allowed', `${pathOf(url)} answers ${header}, not ${method}`, {
    allow: header,
  });
};

/**
 * Answers a method the path does not route, `allow` being what it does (never empty): OPTIONS
 * gets 204 with Allow (RFC 9110 9.3.7), anything else 405 method_not_allowed with Allow.
 */
export function sendMethodNotAllowed(
  reply: FastifyReply,
  method: string,
  url: string,
  allow: readonly string[],
): FastifyReply {
  if (method === 'OPTIONS') return reply.code(204).header('allow', allow.join(', ')).send();
  return sendProblem(reply, methodNotAllowed(method, url, allow));
}

/**
 * The root not-found handler: a path no route has gets 404 not_found, a path routed under
 * other methods 405 (OPTIONS 204) with Allow. Only requests no route took get here, so a
 * route of any method, an OPTIONS route for CORS preflights included, is answered as before.
 */
export const routeMissPlugin = fp(
  async (app: FastifyInstance) => {
    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const routed = routedMethods(app, request.url);
      const allow = allowList(routed);
      // A route of the method itself that called callNotFound() meant 404.
      if (allow.length > 0 && !routed.includes(request.method)) {
        return sendMethodNotAllowed(reply, request.method, request.url, allow);
      }
      return sendProblem(reply, problem('not_found', `No route ${request.method} ${request.url}`));
    });
  },
  { name: 'techflow-route-miss', fastify: '5.x' },
);
