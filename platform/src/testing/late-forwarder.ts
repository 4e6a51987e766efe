import { createServer, type Socket, connect as tcp } from 'node:net';
import { deadPort } from './ports.js';

export interface LateForwarder {
  /** Refuses connections until start(). */
  readonly port: number;
  /** From now on, connections to `port` are forwarded to the target. */
  start(): void;
  /** Ends every forwarded connection and stops listening. */
  close(): Promise<void>;
}

/**
 * A dependency that comes up late: a loopback port that refuses connections, as a server not
 * started yet does, until start(); then it forwards each connection to `host`:`port`.
 */
export async function lateForwarder(host: string, port: number): Promise<LateForwarder> {
  const listenOn = await deadPort();
  const sockets: Socket[] = [];
  const proxy = createServer((client) => {
    const upstream = tcp(port, host);
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return {
    port: listenOn,
    start: () => {
      proxy.listen(listenOn, '127.0.0.1');
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => {
        if (!proxy.listening) r();
        else proxy.close(() => r());
      });
    },
  };
}
