/**
 * Cleanups of what tests created (databases, streams) that still have to run if the test
 * process is killed: tap ends a test file that runs past its timeout with SIGTERM, which skips
 * every teardown, and the database and stream would stay on the shared servers. On SIGTERM or
 * SIGINT each pending cleanup gets a few seconds, then the process exits as the signal would
 * have ended it. A cleanup that ran normally is forgotten.
 */
const pending = new Set<() => Promise<void>>();
let hooked = false;
const GRACE_MS = 5000;

async function cleanUpAndExit(signal: NodeJS.Signals): Promise<void> {
  const all = Promise.allSettled([...pending].map((cleanup) => cleanup()));
  await Promise.race([all, new Promise((r) => setTimeout(r, GRACE_MS).unref())]);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Runs `cleanup` if the process is killed before `forget()` is called (after it ran). */
export function cleanupOnKill(cleanup: () => Promise<void>): { forget(): void } {
  if (!hooked) {
    hooked = true;
    process.once('SIGTERM', () => void cleanUpAndExit('SIGTERM'));
    process.once('SIGINT', () => void cleanUpAndExit('SIGINT'));
  }
  pending.add(cleanup);
  return { forget: () => pending.delete(cleanup) };
}
