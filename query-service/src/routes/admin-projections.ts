import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { EventStore } from '@techflow/platform';
import { BEARER } from '@techflow/platform/http';
import { listCheckpoints } from '../read-models/projections.js';
import { NoQuery, readErrors, ref } from '../schemas/common.js';
import { ProjectionView } from '../schemas/projections.js';

export interface AdminProjectionOptions {
  /** The store the projections follow: its head is what lag is measured against. */
  readonly eventStore: Pick<EventStore, 'headPosition'>;
}

/**
 * Operators' view of the projections (roles owner, admin; the caller's app adds the role
 * check). Positions are global, so this is the same for every tenant, and it must name no
 * tenant's data: a stored error names the event that failed and quotes the database, and the
 * event may be another tenant's, so it is reported only as having happened.
 */
const STOPPED =
  'stopped at an event it could not apply, which it retries on restart; the event and the ' +
  'error are in projections.dead_letters and the projectors’ log';

export const adminProjectionRoutes: FastifyPluginAsyncTypebox<AdminProjectionOptions> = async (
  app,
  { eventStore },
) => {
  app.get(
    '/v1/admin/projections',
    {
      schema: {
        security: BEARER,
        summary: 'Each projection: checkpoint, lag behind the event store, status, rate',
        tags: ['admin'],
        querystring: NoQuery,
        response: { 200: Type.Array(ref(ProjectionView)), ...readErrors },
      },
    },
    async (request) => {
      const [checkpoints, head] = await Promise.all([
        listCheckpoints(app.readDb),
        // Through the port, whichever store EVENT_STORE names; away, the answer is 503.
        eventStore.headPosition(),
      ]);
      return checkpoints.map((c) => {
        const position = BigInt(c.position);
        const heldThrough = app.checkpoints.heldAt(c.name, request.principal.tenantId);
        return {
          name: c.name,
          position: c.position,
          lag: (head > position ? head - position : 0n).toString(),
          status: c.status,
          eventsPerSecond: Math.round(app.checkpoints.rate(c.name) * 10) / 10,
          ...(heldThrough !== undefined ? { tenantHeldThrough: heldThrough.toString() } : {}),
          ...(c.last_error ? { lastError: STOPPED } : {}),
        };
      });
    },
  );
};
