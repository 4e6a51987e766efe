import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../config.js';
import { errorMessage } from '../error-message.js';
import { createServiceLogger } from './base-app.js';
import { closeOnSignals } from './shutdown.js';

/**
 * What a service tells the process that started it, over the IPC channel when there is one
 * (`npm start`'s supervisor): the port it actually bound, or why it could not start. Whatever
 * else answers on that port is then known not to be this child.
 */
export type StartUpMessage =
  | { readonly type: 'techflow:listening'; readonly port: number }
  | { readonly type: 'techflow:start-failed'; readonly message: string };

export function isStartUpMessage(value: unknown): value is StartUpMessage {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  if (value.type === 'techflow:listening') {
    return 'port' in value && typeof value.port === 'number';
  }
  return (
    value.type === 'techflow:start-failed' &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

/** What a service's start hands back: its app, to close on signals and to listen. */
export interface ServiceToListen {
  readonly app: FastifyInstance;
  readonly port: number;
  /** The config variable the port comes from: named when the port is taken. */
  readonly portVariable: string;
}

export interface StartContext {
  readonly config: Config;
  /** The service's logger until its app has one: start-up waits and their outcome. */
  readonly log: Logger;
}

/** Resolves once the parent has the message (a message still queued dies with process.exit). */
function tellParent(message: StartUpMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const sent = send(message, undefined, undefined, () => resolve());
    if (!sent) resolve();
  });
}

async function listen({ app, port, portVariable }: ServiceToListen, host: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    const code = typeof error === 'object' && error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `port ${port} (${portVariable}) on ${host} is already in use by another process`,
        { cause: error },
      );
    }
    throw new Error(`cannot listen on ${host}:${port} (${portVariable}): ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const address = app.server.address();
  return address !== null && typeof address === 'object' ? address.port : port;
}

/**
 * A service's main.ts: loads the config, runs `start` (connections, migrations, the app),
 * closes the app on SIGTERM/SIGINT, listens on config.HOST, and tells a supervising parent the
 * port it bound. A failure anywhere on the way, the config included, is one fatal JSON line
 * saying what failed (never a raw stack on stderr: docker-compose and log shippers read JSON),
 * sent to the parent too, and exit status 1.
 */
export async function runService(
  service: string,
  start: (context: StartContext) => Promise<ServiceToListen>,
): Promise<void> {
  let log = createServiceLogger(service, 'info');
  try {
    const config = loadConfig();
    log = createServiceLogger(service, config.LOG_LEVEL);
    const toListen = await start({ config, log });
    closeOnSignals(toListen.app, config.SHUTDOWN_GRACE_MS);
    const port = await listen(toListen, config.HOST);
    await tellParent({ type: 'techflow:listening', port });
  } catch (error) {
    const message = errorMessage(error);
    // Our messages already say what failed; the error underneath is the detail worth a stack.
    const err = error instanceof Error && error.cause !== undefined ? error.cause : error;
    log.fatal({ err }, `start-up failed: ${message}`);
    await tellParent({ type: 'techflow:start-failed', message });
    // Open connections (a pool, NATS reconnecting) would keep the process alive.
    process.exit(1);
  }
}
