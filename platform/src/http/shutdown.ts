import type { FastifyInstance } from 'fastify';
import { problem } from './errors.js';
import { sendProblem } from './problem-json.js';

/**
 * Requests that still arrive while `app` closes (on a keep-alive connection that was busy when
 * the close began) get a 503 `not_ready` problem like every other error, with Connection:
 * close and Retry-After. Fastify's own answer is plain JSON; `app` must be built with
 * `return503OnClosing: false`, or Fastify answers before this hook runs.
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(
      reply,
      problem('not_ready', 'This instance is shutting down; send the request again', {
        'retry-after': '1',
      }),
    );
  });
}

/**
 * Closes `app` within `graceMs`: it stops accepting, lets in-flight requests finish, and runs
 * every onClose hook. Keep-alive connections are closed as soon as they are idle, including
 * those that become idle only after the close began: a client that keeps its pooled sockets
 * open would otherwise hold the close up forever (Node closes only the idle ones it finds
 * when the close starts). At the deadline every connection is cut, and the answer says so.
 */
export async function closeWithin(
  app: FastifyInstance,
  graceMs: number,
): Promise<'closed' | 'forced'> {
  const server = app.server;
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let forced = false;
  const deadline = setTimeout(() => {
    // Only connections are cut here; onClose hooks that run late are the caller's to judge.
    server.getConnections((error, open) => {
      if (error || open === 0) return;
      forced = true;
      server.closeAllConnections();
    });
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
  return forced ? 'forced' : 'closed';
}

const IDLE_SWEEP_MS = 50;

/**
 * On SIGTERM or SIGINT: stop accepting, let in-flight requests finish (app.close runs every
 * onClose hook: pools, stores), and exit. If that takes longer than `graceMs`, exit anyway
 * with status 1 so an orchestrator is never left waiting. Returns a function that removes
 * the handlers (for tests).
 */
export function closeOnSignals(
  app: FastifyInstance,
  graceMs: number,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): () => void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal, graceMs }, 'closing');
    // The close itself cuts connections at graceMs; an onClose hook that hangs is this one's.
    const deadline = setTimeout(() => {
      app.log.error({ graceMs }, 'grace period over; exiting');
      process.exit(1);
    }, graceMs + HOOKS_GRACE_MS);
    deadline.unref();
    closeWithin(app, graceMs).then(
      (outcome) => {
        clearTimeout(deadline);
        if (outcome === 'forced') app.log.error({ graceMs }, 'grace period over; connections cut');
        process.exit(outcome === 'closed' ? 0 : 1);
      },
      (err: unknown) => {
        app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}

const HOOKS_GRACE_MS = 2000;
