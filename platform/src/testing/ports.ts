import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on: taken from the kernel, then released. Connections to it
 * are refused at once, which is how a dependency that is down looks.
 */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}
