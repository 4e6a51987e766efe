// Query strings and path parameters become numbers and booleans only as plainly written:
// Ajv's coerceTypes took whatever Number() reads (1e1, 0x10, " 5", 5.0).
import { Type } from '@sinclair/typebox';
import t, { type Test } from 'tap';
import { quietApp } from './helpers/quiet-app.js';

const build = async (t: Test) => {
  const app = await quietApp(t);
  app.get(
    '/pages/:page',
    {
      schema: {
        params: Type.Object({ page: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            ratio: Type.Optional(Type.Number()),
            deep: Type.Optional(Type.Boolean()),
            name: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ params: request.params, query: request.query }),
  );
  return app;
};

t.test('plain spellings become the schema’s types', async (t) => {
  const app = await build(t);
  const res = await app.inject({
    url: '/pages/3?limit=050&ratio=-1.5&deep=true&name=0x10',
  });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), {
    params: { page: 3 },
    query: { limit: 50, ratio: -1.5, deep: true, name: '0x10' },
  });
});

t.test('any other spelling is 400 validation_failed naming the parameter', async (t) => {
  const app = await build(t);
  const cases = [
    ['/pages/1?limit=1e1', 'querystring/limit'],
    ['/pages/1?limit=0x10', 'querystring/limit'],
    ['/pages/1?limit=%205', 'querystring/limit'],
    ['/pages/1?limit=5.0', 'querystring/limit'],
    ['/pages/1?limit=+5', 'querystring/limit'],
    ['/pages/1?limit=99999999999999999999', 'querystring/limit'],
    ['/pages/1?ratio=1e3', 'querystring/ratio'],
    ['/pages/1?ratio=.5', 'querystring/ratio'],
    ['/pages/1?deep=1', 'querystring/deep'],
    ['/pages/1?deep=TRUE', 'querystring/deep'],
    ['/pages/1e0', 'params/page'],
    ['/pages/0x1', 'params/page'],
    ['/pages/1.0', 'params/page'],
  ] as const;
  for (const [url, path] of cases) {
    const res = await app.inject({ url });
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/, url);
    t.match(res.json(), { code: 'validation_failed', detail: new RegExp(`^${path} `) }, url);
  }
});
