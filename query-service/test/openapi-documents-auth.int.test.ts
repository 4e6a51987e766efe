import t from 'tap';
import { startQueryService } from './helpers/harness.js';

t.test(
  'every read is documented as needing a bearer token, and its errors as problems',
  async (t) => {
    const { app } = await startQueryService(t);
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, { content?: object }> }>
      >;
    }>();
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ name: `${method} ${path}`, op })),
    );
    t.ok(operations.length >= 6, 'the reads are there');
    for (const { name, op } of operations) {
      t.same(op.security, [{ bearerAuth: [] }], `${name}: bearer token`);
      t.same(
        Object.keys(op.responses['401']?.content ?? {}),
        ['application/problem+json'],
        `${name}: 401 is a problem`,
      );
    }
  },
);
