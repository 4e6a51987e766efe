import { setTimeout as sleep } from 'node:timers/promises';
import { closeWithin } from '@techflow/platform/http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { StopOutcome, SupervisedChild } from './child.js';

export interface SystemToStop {
  /** Absent when the start failed before the gateway listened. */
  readonly gateway?: FastifyInstance | undefined;
  readonly children: readonly SupervisedChild[];
  readonly graceMs: number;
  readonly log: Logger;
}

/**
 * Stops the gateway first (no new requests; those in flight still need the services), then
 * every child, all within one deadline `graceMs` from now: SHUTDOWN_GRACE_MS is what an
 * orchestrator waits before it kills the whole container, so a second period for the children
 * after the gateway's would only be cut by it. A gateway that used the whole period leaves the
 * children none: they are killed at once. `cut` when anything still open was cut.
 */
export async function stopSystem({
  gateway,
  children,
  graceMs,
  log,
}: SystemToStop): Promise<StopOutcome> {
  const deadline = performance.now() + graceMs;
  let outcome: StopOutcome = 'clean';
  if (gateway) {
    outcome = await closeGateway(gateway, graceMs, log);
  }
  const left = Math.max(0, deadline - performance.now());
  const stopped = await Promise.all(children.map((c) => c.stop(left)));
  return stopped.includes('cut') ? 'cut' : outcome;
}

/** closeWithin cuts connections at the deadline; an onClose hook that hangs is cut here. */
async function closeGateway(
  gateway: FastifyInstance,
  graceMs: number,
  log: Logger,
): Promise<StopOutcome> {
  const giveUp = new AbortController();
  try {
    const closed = await Promise.race([
      closeWithin(gateway, graceMs),
      sleep(graceMs + HOOKS_SLACK_MS, 'hung' as const, { signal: giveUp.signal }),
    ]);
    if (closed === 'closed') return 'clean';
    log.warn(
      { graceMs },
      closed === 'forced'
        ? 'gateway: grace period over; connections cut'
        : 'gateway: close still running at the deadline',
    );
    return 'cut';
  } catch (err) {
    log.error({ err }, 'gateway close failed');
    return 'cut';
  } finally {
    giveUp.abort();
  }
}

/** closeWithin's own timer fires at graceMs: a close that has not ended just after it is hung. */
const HOOKS_SLACK_MS = 50;
