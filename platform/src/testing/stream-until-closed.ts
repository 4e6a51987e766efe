import { connect } from 'node:net';

export interface StreamUntilClosed {
  readonly port: number;
  /** The request line and headers, without the blank line that ends them. */
  readonly head: string;
  /** Body bytes are sent chunked (with Transfer-Encoding: chunked in `head`), or as they are. */
  readonly chunked: boolean;
  /** How long to keep sending before giving up on the server closing. */
  readonly giveUpMs: number;
}

export interface StreamedUntilClosed {
  /** Everything the server sent, as text. */
  readonly response: string;
  /** From the first byte of the answer to the connection's end; undefined if it never ended. */
  readonly closedAfterMs: number | undefined;
  readonly bytesSent: number;
}

const CHUNK = Buffer.alloc(16 * 1024, 'a');

/**
 * A client that sends a body without end and ignores whatever the server says, its answer and
 * its FIN included (a half-open socket keeps writing), as a careless or hostile client would.
 * Resolves once the server has ended the connection, or after `giveUpMs`.
 */
export async function streamUntilClosed(o: StreamUntilClosed): Promise<StreamedUntilClosed> {
  const socket = connect({ port: o.port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let response = '';
  let answeredAt: number | undefined;
  let closedAt: number | undefined;
  let bytesSent = 0;
  socket.on('data', (chunk: Buffer) => {
    answeredAt ??= Date.now();
    response += chunk.toString();
  });
  // A write meeting the server's reset fails here; the answer is what counts.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = Date.now();
      resolve();
    }),
  );
  socket.write(`${o.head}\r\n\r\n`);
  const send = setInterval(() => {
    if (socket.destroyed) return;
    if (o.chunked) socket.write(`${CHUNK.length.toString(16)}\r\n`);
    socket.write(CHUNK);
    if (o.chunked) socket.write('\r\n');
    bytesSent += CHUNK.length;
  }, 2);
  const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, o.giveUpMs));
  await Promise.race([closed, gaveUp]);
  clearInterval(send);
  socket.destroy();
  const closedAfterMs =
    closedAt !== undefined && answeredAt !== undefined ? closedAt - answeredAt : undefined;
  return { response, closedAfterMs, bytesSent };
}
