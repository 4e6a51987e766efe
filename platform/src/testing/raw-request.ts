import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether the server ended the connection before `giveUpMs`. */
  readonly closed: boolean;
}

/**
 * Writes `text` as it is on a new connection and reads the one answer until the server closes
 * it or `giveUpMs` passes: for what an HTTP client will not send (oversized or broken heads).
 */
export async function rawRequest(port: number, text: string, giveUpMs = 3000): Promise<RawAnswer> {
  const socket = connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A write meeting the server's close fails here; the answer is what counts.
  socket.on('error', () => undefined);
  const closed = await new Promise<boolean>((resolve) => {
    const giveUp = setTimeout(() => resolve(false), giveUpMs);
    socket.once('close', () => {
      clearTimeout(giveUp);
      resolve(true);
    });
    socket.write(text);
  });
  socket.destroy();
  const raw = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body, closed };
}
