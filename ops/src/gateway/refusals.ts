import { problem, sendProblem } from '@techflow/platform/http';
import type { FastifyInstance } from 'fastify';

/**
 * A `.` or `..` path segment, also spelt `%2e` or ended by `\`: the WHATWG URL parser the
 * proxy builds upstream URLs with resolves all of them, so /./metrics would reach a service's
 * /metrics, which the origin does not publish.
 */
const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?=[/\\]|$)/i;

export const hasDotSegment = (url: string): boolean =>
  DOT_SEGMENT.test(url.split(/[?#]/, 1)[0] ?? '');

/**
 * Requests the gateway answers itself, before any route or upstream sees them. Register before
 * the routes: hooks reach only the plugins registered after them.
 */
export function registerRefusals(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!hasDotSegment(request.url)) return;
    return sendProblem(
      reply,
      problem(
        'validation_failed',
        'the path has a "." or ".." segment (%2e included); send the path resolved',
      ),
    );
  });
}
