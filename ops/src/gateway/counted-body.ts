import { Transform } from 'node:stream';
import { declaresBody } from '@techflow/platform/http';
import type { FastifyInstance } from 'fastify';

/** What a body past the limit fails with; the proxy's onError answers it as 413. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor(readonly bodyLimit: number) {
    super(`the body is over ${bodyLimit} bytes, the most accepted`);
  }
}

/** `error`, or the error it was caused by, when it is a body found past the limit here. */
export const bodyTooLargeIn = (error: unknown): BodyTooLarge | undefined => {
  // reply-from wraps what undici failed with, which is what the body stream failed with.
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof BodyTooLarge) return e;
  }
  return undefined;
};

const UNREAD_BODIES = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * Every request body reaches a service through a counting stream, never as the request
 * itself. When a service answers before reading the whole body (its 413, a 401 to an upload
 * without a token), undici destroys the body stream it was sending, and had that been the
 * request, the client's socket went with it: the client got no answer at all, only EPIPE. A
 * body without Content-Length (chunked) that goes past `bodyLimit` fails here, so the gateway
 * answers 413 itself, as it does to a declared one, instead of streaming it on.
 */
export function countBodies(app: FastifyInstance, bodyLimit: number): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    // Fastify reads no body of these: a counter nobody reads would hold the request's bytes.
    if (!declaresBody(request.headers) || UNREAD_BODIES.has(request.method)) return payload;
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen <= bodyLimit) return done(null, chunk);
        done(new BodyTooLarge(bodyLimit));
      },
    });
    // Not pipeline(): it would destroy the request, and the socket, with the counter.
    payload.on('error', (error) => counted.destroy(error));
    return payload.pipe(counted);
  });
}
