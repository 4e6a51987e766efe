// A known path asked with a method it does not route is 405 with Allow, not 404: a client (or
// an operator reading logs) learns the path is right and the method is wrong.

import t, { type Test } from 'tap';
import type { App } from '../src/http/index.js';
import { quietApp } from './helpers/quiet-app.js';

const build = async (t: Test): Promise<App> => {
  const app = await quietApp(t);
  app.get('/things', async () => ({ ok: true }));
  app.post('/things', async () => ({ ok: true }));
  app.get('/things/:id', async () => ({ ok: true }));
  // Routes inside an encapsulated, prefixed plugin are found as well.
  await app.register(
    async (child) => {
      child.post('/:id/deposits', async () => ({ ok: true }));
    },
    { prefix: '/things' },
  );
  return app;
};

t.test('a path routed under other methods answers 405 problem+json with Allow', async (t) => {
  const app = await build(t);
  const cases = [
    ['DELETE', '/things', 'GET, HEAD, POST, OPTIONS'],
    ['PUT', '/things?limit=5', 'GET, HEAD, POST, OPTIONS'],
    ['PUT', '/things/42', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/things/42', 'GET, HEAD, OPTIONS'],
    ['GET', '/things/42/deposits', 'POST, OPTIONS'],
  ] as const;
  for (const [method, url, allow] of cases) {
    const res = await app.inject({ method, url });
    const label = `${method} ${url}`;
    t.equal(res.statusCode, 405, label);
    t.equal(res.headers['allow'], allow, `${label}: Allow`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, label);
    const body = res.json();
    t.same(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type'], label);
    t.match(body, {
      type: 'https://techflow.dev/problems/method_not_allowed',
      status: 405,
      code: 'method_not_allowed',
    });
    t.equal(body.detail, `${url.split('?')[0]} answers ${allow}, not ${method}`, label);
  }
});

t.test('HEAD on a path with no GET is 405 with Allow and no body', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'HEAD', url: '/things/42/deposits' });
  t.equal(res.statusCode, 405);
  t.equal(res.headers['allow'], 'POST, OPTIONS');
  t.equal(res.body, '');
  const get = await app.inject({ method: 'HEAD', url: '/things/42' });
  t.equal(get.statusCode, 200, 'HEAD of a GET route is still that route');
});

t.test('OPTIONS on a known path is 204 with Allow; an unknown path stays 404', async (t) => {
  const app = await build(t);
  const known = await app.inject({ method: 'OPTIONS', url: '/things/42' });
  t.equal(known.statusCode, 204);
  t.equal(known.headers['allow'], 'GET, HEAD, OPTIONS');
  t.equal(known.body, '');
  for (const method of ['GET', 'DELETE', 'OPTIONS'] as const) {
    const res = await app.inject({ method, url: '/nowhere' });
    t.equal(res.statusCode, 404, `${method} /nowhere`);
    t.equal(res.headers['allow'], undefined);
    t.equal(res.json().code, 'not_found');
  }
});

t.test('an OPTIONS route of its own (a CORS preflight) still answers', async (t) => {
  const app = await build(t);
  // What @fastify/cors registers: OPTIONS on every path.
  app.options('/*', async (_request, reply) =>
    reply.code(204).header('access-control-allow-origin', '*').send(),
  );
  const preflight = await app.inject({ method: 'OPTIONS', url: '/things/42' });
  t.equal(preflight.statusCode, 204);
  t.equal(preflight.headers['access-control-allow-origin'], '*', 'the preflight route answered');
  const unknown = await app.inject({ method: 'GET', url: '/nowhere' });
  t.equal(unknown.statusCode, 404, 'OPTIONS * alone does not make every path known');
  const wrong = await app.inject({ method: 'DELETE', url: '/things/42' });
  t.equal(wrong.statusCode, 405);
  t.equal(wrong.headers['allow'], 'GET, HEAD, OPTIONS');
});
