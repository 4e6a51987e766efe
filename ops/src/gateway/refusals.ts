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

export interface RefusalOptions {
  /** The services' BODY_LIMIT_BYTES. */
  readonly bodyLimit: number;
}

/**
 * Requests the gateway answers itself, before any route or upstream sees them. Register before
 * the routes: hooks reach only the plugins registered after them.
 */
export function registerRefusals(app: FastifyInstance, options: RefusalOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    if (hasDotSegment(request.url)) {
      return sendProblem(
        reply,
        problem(
          'validation_failed',
          'the path has a "." or ".." segment (%2e included); send the path resolved',
        ),
      );
    }
    // A declared size; a chunked body is counted on its way (counted-body.ts). The service
    // would answer 413 too, but close while the gateway was still sending the body, and the
    // client got 502 EPIPE. The answer ends the connection (closeWhenBodyUnread): kept alive,
    // Node read and dropped all the declared bytes first, however many.
    const declared = Number(request.headers['content-length']);
    if (declared > options.bodyLimit) {
      return sendProblem(
        reply,
        problem(
          'payload_too_large',
          `the body is ${declared} bytes; at most ${options.bodyLimit} are accepted`,
        ),
      );
    }
  });
}
