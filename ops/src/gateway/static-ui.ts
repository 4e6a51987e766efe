import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from './routing.js';

/** A path whose last segment has no dot is a page the client-side router owns. */
const isPageRoute = (url: string): boolean => {
  const pathname = url.split('?')[0] ?? '/';
  return !pathname.startsWith(`${API_PREFIX}/`) && !/\.[^/]*$/.test(pathname);
};

/**
 * Serves the built UI and falls back to index.html for client-side routes (SPA), so a reload of
 * /accounts/42 works. Missing assets (a path with an extension) stay 404: answering them with
 * HTML would hide a broken build behind a MIME error: they, and every other method, go to
 * `otherwise` (the origin's 404 or 405).
 */
export async function registerStaticUi(
  app: FastifyInstance,
  root: string,
  otherwise: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
): Promise<void> {
  await app.register(fastifyStatic, { root, prefix: '/', wildcard: true, index: ['index.html'] });
  app.setNotFoundHandler((request, reply) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && isPageRoute(request.url)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return otherwise(request, reply);
  });
}
