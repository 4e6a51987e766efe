import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CloseOnKeepAlive {
  readonly port: number;
  /** A route that answers only once `release` is called; `started` says it has begun. */
  readonly slowPath: string;
  readonly started: () => boolean;
  readonly release: () => void;
  /** Requested on the same connection once `close` has begun. */
  readonly latePath: string;
  readonly close: () => Promise<unknown>;
}

/**
 * One keep-alive connection, busy with `slowPath` when the close begins; `latePath` comes on it
 * after. Written raw, since an HTTP client would open a new connection for the late request.
 * Resolves with the two responses as sent, once the server has closed the connection.
 */
export async function closeOnKeepAlive(
  o: CloseOnKeepAlive,
): Promise<{ closed: unknown; first: string; second: string }> {
  const socket = connect(o.port, '127.0.0.1');
  try {
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`GET ${o.slowPath} HTTP/1.1\r\nhost: x\r\n\r\n`);
    while (!o.started()) await sleep(5);
    const closing = o.close();
    await sleep(50);
    socket.write(`GET ${o.latePath} HTTP/1.1\r\nhost: x\r\n\r\n`);
    await sleep(50);
    o.release();
    const closed = await closing;
    await ended;
    const [first = '', second = ''] = received.split(/(?=HTTP\/1\.1 )/);
    return { closed, first, second };
  } finally {
    socket.destroy();
  }
}
