import { problem } from '@techflow/platform/http';
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { CheckpointTracker } from './min-position.js';
import type { MinPositionWait } from './read-metrics.js';
import { MAX_POSITION } from './schemas/common.js';

export interface ReadYourWritesOptions {
  readonly tracker: CheckpointTracker;
  /** The projection whose read models the guarded routes read. */
  readonly projection: string;
  /** MIN_POSITION_WAIT_MS: how long a read waits before answering 503 stale_read_model. */
  readonly waitMs: number;
  readonly waited?: MinPositionWait;
}

/**
 * preHandler for reads: with `X-Min-Position: <position>` the handler runs only once the
 * projection's checkpoint is >= position (woken by the checkpoint NOTIFY, no polling); after
 * `waitMs` it answers 503 stale_read_model instead. Every answer carries `X-Position`, the
 * checkpoint known when the read ran: the read reflects at least that position.
 * Runs after authentication, so strangers cannot park requests here.
 *
 * A tenant the projection holds back (one of its events could not be applied) reads its
 * model as it stands: `X-Position` is where that model is complete, and a read asking for
 * more is answered 503 at once: only the projectors' replay of the tenant moves it, and that
 * waits for whatever made the event impossible to apply to go away.
 */
/** How the OpenAPI document describes the header every read answers with. */
export const X_POSITION = {
  description:
    'The event-store position this read reflects at least (complete through it): send a ' +
    "command's `position` as X-Min-Position to read your own write",
  schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,18})$' },
};

export function readYourWrites(options: ReadYourWritesOptions): preHandlerAsyncHookHandler {
  const { tracker, projection, waitMs, waited } = options;
  return async (request, reply) => {
    const header = request.headers['x-min-position'];
    const { tenantId } = request.principal;
    let position = tracker.position(projection, tenantId);
    if (header !== undefined) {
      const min = parseMinPosition(header);
      const heldAt = tracker.heldAt(projection, tenantId);
      if (heldAt !== undefined && heldAt < min) {
        waited?.observe({ outcome: 'held' }, 0);
        throw problem(
          'stale_read_model',
          `this organization's ${projection} read model is complete through position ${heldAt}: ` +
            'one of its events could not be applied, and its read model waits there until the ' +
            'projectors replay it (at their start and every few minutes); later writes are ' +
            'safe in the event store',
          { 'retry-after': '30' },
        );
      }
      const started = performance.now();
      // A caller that hangs up stops waiting: nothing stays parked (or queries) for nobody.
      const reached = await tracker.waitFor(projection, min, waitMs, request.signal, tenantId);
      const seconds = (performance.now() - started) / 1000;
      const outcome = reached !== undefined ? 'ok' : request.signal.aborted ? 'gone' : 'stale';
      waited?.observe({ outcome }, seconds);
      if (reached === undefined) {
        throw problem(
          'stale_read_model',
          `the ${projection} read model is at ${tracker.position(projection, tenantId)}, not yet at ${min}; retry shortly`,
          { 'retry-after': '1' },
        );
      }
      position = reached;
    }
    reply.header('x-position', position.toString());
  };
}

/** The header as a position; route schemas check its digits, this keeps it safe without them. */
function parseMinPosition(header: string | string[]): bigint {
  const value = Array.isArray(header) ? undefined : header.trim();
  if (!value || !/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > MAX_POSITION) {
    throw problem('validation_failed', 'X-Min-Position must be one decimal event-store position');
  }
  return BigInt(value);
}
