import { Type } from '@sinclair/typebox';
import t from 'tap';
import { createBaseApp } from '../src/http/index.js';

const build = (checks: Record<string, () => Promise<unknown>> = {}) =>
  createBaseApp({
    name: 'test',
    logLevel: 'silent',
    bodyLimit: 4096,
    collectDefaultMetrics: true,
    readyChecks: checks,
  });

t.test('GET /health answers while the process runs', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('GET /ready runs the checks and names the failing dependency', async (t) => {
  let redisUp = true;
  const app = await build({
    postgres: async () => 'fine',
    redis: async () => {
      if (!redisUp) throw new Error('ECONNREFUSED');
    },
  });
  t.teardown(() => app.close());
  const ok = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { status: 'ok', checks: ['postgres', 'redis'] });
  redisUp = false;
  const down = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(down.statusCode, 503);
  t.match(down.headers['content-type'], /application\/problem\+json/);
  t.equal(down.json().code, 'not_ready');
  t.match(down.json().detail, 'redis');
  t.notMatch(down.json().detail, 'postgres');
});

t.test('an optional dependency that is down makes /ready degraded, not failed', async (t) => {
  let redisUp = true;
  const app = await createBaseApp({
    name: 'test',
    logLevel: 'silent',
    bodyLimit: 4096,
    collectDefaultMetrics: false,
    readyChecks: { postgres: async () => 'fine' },
    optionalReadyChecks: {
      redis: async () => {
        if (!redisUp) throw new Error('ECONNREFUSED');
      },
    },
  });
  t.teardown(() => app.close());
  t.same((await app.inject({ url: '/ready' })).json(), {
    status: 'ok',
    checks: ['postgres', 'redis'],
  });
  redisUp = false;
  const degraded = await app.inject({ url: '/ready' });
  t.equal(degraded.statusCode, 200);
  t.same(degraded.json(), { status: 'ok', checks: ['postgres'], degraded: ['redis'] });
});

t.test('GET /metrics: per-app registry with request durations by route', async (t) => {
  // Two apps in one process: a global registry would refuse the second's metrics.
  const one = await build();
  const two = await build();
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  one.get('/things/:id', async () => ({ ok: true }));
  await one.inject({ method: 'GET', url: '/things/42' });
  const res = await one.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/plain/);
  t.match(res.body, /http_request_duration_seconds_count\{[^}]*route="\/things\/:id"[^}]*\} 1/);
  t.match(res.body, /process_cpu_user_seconds_total/);
  t.notMatch(res.body, /things\/42/, 'raw URLs never become labels');
  const other = await two.inject({ method: 'GET', url: '/metrics' });
  t.notMatch(other.body, /things/, 'apps do not share a registry');
});

t.test('GET /openapi.json documents routes from their schemas; /docs serves the UI', async (t) => {
  const app = await build();
  t.teardown(() => app.close());
  app.post(
    '/v1/widgets',
    {
      schema: {
        summary: 'Make a widget',
        body: Type.Object({ name: Type.String() }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String() }), 400: Type.Ref('ProblemDetails') },
      },
    },
    async (_request, reply) => reply.code(201).send({ id: 'w-1' }),
  );
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.match(doc.openapi, /^3\./);
  t.ok(doc.paths['/v1/widgets'].post, 'the route is documented');
  t.same(doc.paths['/v1/widgets'].post.requestBody.content['application/json'].schema.required, [
    'name',
  ]);
  t.ok(doc.components.schemas.ProblemDetails, 'shared problem schema under its own name');
  const answers = doc.paths['/v1/widgets'].post.responses;
  t.ok(answers['201'].content['application/json'], 'success is JSON');
  t.same(Object.keys(answers['400'].content), ['application/problem+json'], 'errors are problems');
  t.match(
    doc.paths['/v1/widgets'].post.parameters,
    [{ name: 'Idempotency-Key', in: 'header', required: false }],
    'every POST takes an Idempotency-Key',
  );
  t.notOk(doc.paths['/health'], 'operational routes are hidden');
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /swagger/i);
});
