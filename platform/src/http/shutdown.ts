import type { FastifyInstance } from 'fastify';

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
    const deadline = setTimeout(() => {
      app.log.error({ graceMs }, 'grace period over; exiting');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    app.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
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
