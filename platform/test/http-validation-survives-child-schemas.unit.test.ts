import { Type } from '@sinclair/typebox';
import t from 'tap';
import { quietApp } from './helpers/quiet-app.js';

// Regression: a route plugin that called addSchema got Fastify's default ajv, which strips
// unknown query fields instead of refusing them and coerces JSON bodies.
t.test('strict validation holds inside a plugin that adds shared schemas', async (t) => {
  const app = await quietApp(t);
  await app.register(async (child) => {
    child.addSchema(
      Type.Object({ n: Type.Integer() }, { $id: 'Shared', additionalProperties: false }),
    );
    child.get(
      '/things',
      {
        schema: {
          querystring: Type.Object(
            { limit: Type.Optional(Type.Integer()) },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => ({ limit: (request.query as { limit?: number }).limit ?? null }),
    );
    child.post('/shared', { schema: { body: Type.Ref('Shared') } }, async () => ({ ok: true }));
  });
  const unknownQuery = await app.inject({ method: 'GET', url: '/things?sort=1' });
  t.equal(unknownQuery.statusCode, 400, 'an unknown query field is refused');
  t.equal(unknownQuery.json().code, 'validation_failed');
  const coercedQuery = await app.inject({ method: 'GET', url: '/things?limit=5' });
  t.same(coercedQuery.json(), { limit: 5 }, 'query strings are still coerced');
  const stringForInt = await app.inject({ method: 'POST', url: '/shared', payload: { n: '5' } });
  t.equal(stringForInt.statusCode, 400, 'a JSON body is not coerced');
  const ok = await app.inject({ method: 'POST', url: '/shared', payload: { n: 5 } });
  t.equal(ok.statusCode, 200, 'shared schemas resolve by $ref');
});
