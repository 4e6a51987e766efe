import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Whether a request says a body follows: chunked, or a Content-Length other than 0. */
export const declaresBody = (headers: IncomingHttpHeaders): boolean =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * How long a connection closed with its request body unread is still read (and what comes
 * dropped) after the answer went out: a close with unread bytes, or bytes still arriving,
 * answers them with a TCP reset, and a client still sending meets the reset (EPIPE) before
 * it reads the answer waiting in its buffer. A second covers any round trip the answer needs
 * and is all a client gets to send past it. Go's net/http waits 500 ms for the same reason.
 */
export const LINGER_MS = 1000;

/**
 * Ends the connection after `last` (FIN once it is flushed), then lingers: what the client
 * still sends is read and dropped by Node's parser until it closes its side or LINGER_MS
 * passes, so the answer is not lost to a reset.
 */
export function endLingering(socket: Socket, last?: string): void {
  if (last === undefined) socket.end();
  else socket.end(last);
  if (socket.readableEnded) {
    socket.once('finish', () => socket.destroy());
    return;
  }
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(cut));
}

/**
 * Node ends a Connection: close answer with `socket.destroySoon()` (FIN, then close as soon
 * as it is flushed), or `socket.end()` on a socket without one. This socket's lingers instead
 * (endLingering).
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = () => endLingering(socket);
}

/**
 * An answer sent before its request's body was read in full (413 over the limit, a refusal
 * in onRequest, a 404 to a POST) says `Connection: close`, and the connection ends once the
 * client had time to read it. Kept alive, Node first read and dropped the rest of the body,
 * so a client declaring gigabytes, or streaming a chunked body without end, was read for as
 * long as it kept sending. Register before the routes: hooks reach only what is registered
 * after them.
 */
export function closeWhenBodyUnread(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.raw.complete) return payload;
    reply.header('connection', 'close');
    // A body a handler stopped reading (a proxy's upstream answered early) is drained too:
    // bytes left unread when the socket closes are what makes the reset.
    request.raw.resume();
    lingerOnClose(request.raw.socket);
    return payload;
  });
}
