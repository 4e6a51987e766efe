import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { BEARER } from '@techflow/platform/http';
import { listMembers } from '../read-models/members.js';
import { NoQuery, ReadHeaders, readErrors, ref } from '../schemas/common.js';
import { MemberView } from '../schemas/members.js';

export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/members',
    {
      schema: {
        security: BEARER,
        summary: "The tenant's members",
        tags: ['members'],
        headers: ReadHeaders,
        querystring: NoQuery,
        response: { 200: Type.Object({ items: Type.Array(ref(MemberView)) }), ...readErrors },
      },
    },
    async (request) => {
      const rows = await listMembers(app.readDb, request.principal.tenantId);
      return {
        items: rows.map((m) => ({ userId: m.user_id, email: m.email, name: m.name, role: m.role })),
      };
    },
  );
};
