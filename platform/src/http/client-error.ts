import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { type HttpProblem, problem } from './errors.js';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';
import { endLingering } from './unread-body.js';

/** What Node's own answer to each parse error says (_http_server.js), as one of our problems. */
const problemOf = (error: ConnectionError): HttpProblem => {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      // The request line counts: a long query string (a cursor, a filter) lands here too.
      return problem(
        'request_header_fields_too_large',
        `The request line and headers together exceed ${maxHeaderSize} bytes`,
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return problem('payload_too_large', 'The chunk extensions of the body are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem('request_timeout', 'The request did not arrive in full in time');
    default:
      return problem('bad_request', `The request is not valid HTTP/1.1 (${error.code})`);
  }
};

/** The whole answer as bytes on the wire: no request, route or reply exists to send it. */
const rawAnswer = (p: HttpProblem): string => {
  const body = JSON.stringify(p.toBody());
  return (
    `HTTP/1.1 ${p.statusCode} ${STATUS_CODES[p.statusCode] ?? ''}\r\n` +
    `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
};

/**
 * Node's own guard: an answer already begun on this socket (a pipelined request before the
 * broken one) would be corrupted by another written into it.
 */
const answerBegun = (socket: Socket): boolean => {
  const inFlight: unknown = Reflect.get(socket, '_httpMessage');
  return (
    typeof inFlight === 'object' &&
    inFlight !== null &&
    Reflect.get(inFlight, 'headersSent') === true
  );
};

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any request exists
 * (431 headers over the limit, 400 not HTTP, 408 too slow) answers as problem+json like every
 * other error, where Fastify's default wrote `{"error": ...}` as application/json. The
 * connection ends after the answer: the parser cannot go on. The parser reports again on each
 * later chunk; once answered, those are dropped.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  // A reset or a socket already gone has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
  if (!socket.writable || answerBegun(socket)) {
    socket.destroy();
    return;
  }
  endLingering(socket, rawAnswer(problemOf(error)));
}
