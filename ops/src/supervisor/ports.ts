import net from 'node:net';
import type { PortVariable, ServiceSpec } from '../services.js';

const listenOnFreePort = (): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

const closeServer = (server: net.Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/**
 * The port each child is asked for: the one its variable names when set, else 0 (any free
 * port). Config defaults (8081...) are for a service run alone; under `npm start` they would
 * collide with a second `npm start`, or anything else on them.
 */
export function requestedPorts(
  services: readonly ServiceSpec[],
  config: Readonly<Record<PortVariable, number>>,
  env: NodeJS.ProcessEnv,
): Record<PortVariable, number> {
  const ports = { ...config };
  for (const { portVariable } of services) {
    const set = env[portVariable] !== undefined && env[portVariable] !== '';
    ports[portVariable] = set ? config[portVariable] : 0;
  }
  return ports;
}

/**
 * The port each child listens on. A configured 0 means "any free port": a child cannot be told
 * to listen on 0 because the gateway must know where to find it, so the supervisor picks the
 * ports itself. All are held open together until every one is chosen (so they differ), then
 * released for the children; another process could take one in that gap, and the child then
 * fails to listen, which fails the start with the port named (SupervisedChild, waitReady).
 */
export async function resolvePorts(
  services: readonly ServiceSpec[],
  configured: Readonly<Record<PortVariable, number>>,
): Promise<Record<PortVariable, number>> {
  const held: net.Server[] = [];
  const ports = { ...configured };
  try {
    for (const service of services) {
      if (ports[service.portVariable] !== 0) continue;
      const server = await listenOnFreePort();
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      ports[service.portVariable] = address.port;
    }
  } finally {
    await Promise.all(held.map(closeServer));
  }
  return ports;
}
