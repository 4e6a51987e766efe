import { Type } from '@sinclair/typebox';
import { DomainError } from '@techflow/domain';
import type { InjectOptions } from 'fastify';
import t, { type Test } from 'tap';
import { HttpProblem, PROBLEMS, problem, problemFromDomain, toProblem } from '../src/http/index.js';
import { quietApp } from './helpers/quiet-app.js';

const build = async (t: Test) => {
  const app = await quietApp(t);
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object(
          { amount: Type.String({ pattern: '^[1-9][0-9]{0,18}$' }), count: Type.Integer() },
          { additionalProperties: false },
        ),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer()) }),
      },
    },
    async (request) => ({ ok: true, limit: request.query.limit ?? null }),
  );
  app.get('/teapot', async () => {
    throw problem('insufficient_funds', 'only 3 left');
  });
  app.get('/domain', async () => {
    throw new DomainError('account_not_found');
  });
  app.get('/boom', async () => {
    throw new Error('secret internals: password=hunter2');
  });
  return app;
};

const json = { 'content-type': 'application/json' };

t.test(
  'every error is application/problem+json with type, title, status, detail, code',
  async (t) => {
    const app = await build(t);
    const cases: [string, InjectOptions, number, string][] = [
      [
        'malformed JSON',
        { method: 'POST', url: '/things', headers: json, payload: '{"amount":' },
        400,
        'malformed_json',
      ],
      [
        'wrong type',
        { method: 'POST', url: '/things', payload: { amount: 12, count: 1 } },
        400,
        'validation_failed',
      ],
      [
        'numeric string is not coerced in a body',
        { method: 'POST', url: '/things', payload: { amount: '12', count: '1' } },
        400,
        'validation_failed',
      ],
      [
        'unknown field',
        { method: 'POST', url: '/things', payload: { amount: '1', count: 1, extra: true } },
        400,
        'validation_failed',
      ],
      [
        'too large',
        {
          method: 'POST',
          url: '/things',
          headers: json,
          payload: JSON.stringify({ amount: '1', count: 1, pad: 'x'.repeat(2000) }),
        },
        413,
        'payload_too_large',
      ],
      ['unknown route', { method: 'GET', url: '/nowhere' }, 404, 'not_found'],
      [
        'a malformed percent-encoding in the path',
        { method: 'GET', url: '/teapot/%E0%A4%A' },
        400,
        'validation_failed',
      ],
      ['thrown problem', { method: 'GET', url: '/teapot' }, 422, 'insufficient_funds'],
      ['domain error', { method: 'GET', url: '/domain' }, 404, 'not_found'],
      ['unknown error', { method: 'GET', url: '/boom' }, 500, 'internal_error'],
    ];
    for (const [name, request, status, code] of cases) {
      const res = await app.inject(request);
      t.equal(res.statusCode, status, `${name}: status`);
      t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: content type`);
      const body = res.json();
      t.same(
        Object.keys(body).sort(),
        ['code', 'detail', 'status', 'title', 'type'],
        `${name}: fields`,
      );
      t.equal(body.code, code, `${name}: code`);
      t.equal(body.status, status);
      t.equal(body.type, `https://techflow.dev/problems/${code}`);
      t.notMatch(body.detail, /hunter2|secret/, `${name}: nothing internal leaks`);
    }
  },
);

t.test('validation names the failing path', async (t) => {
  const app = await build(t);
  const unknown = await app.inject({
    method: 'POST',
    url: '/things',
    payload: { amount: '1', count: 1, extra: true },
  });
  t.match(unknown.json().detail, 'body/extra');
  const pattern = await app.inject({
    method: 'POST',
    url: '/things',
    payload: { amount: '-5', count: 1 },
  });
  t.match(pattern.json().detail, 'body/amount');
});

t.test('validation says what it expected in the schema’s own words', async (t) => {
  const app = await quietApp(t);
  app.post(
    '/orders',
    {
      schema: {
        body: Type.Object(
          {
            amount: Type.String({ pattern: '^[1-9][0-9]*$', description: 'Amount in cents' }),
            currency: Type.Union([Type.Literal('EUR'), Type.Literal('USD')], {
              description: 'ISO 4217 currency code',
              examples: ['EUR'],
            }),
            note: Type.Optional(Type.String({ maxLength: 3 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async () => ({ ok: true }),
  );
  const detail = async (payload: object) =>
    (await app.inject({ method: 'POST', url: '/orders', payload })).json().detail;
  t.equal(
    await detail({ amount: '-1', currency: 'EUR' }),
    'body/amount is not valid: expected amount in cents',
  );
  t.equal(
    await detail({ amount: '1', currency: 'XYZ' }),
    'body/currency is not valid: expected ISO 4217 currency code, e.g. "EUR"',
    'a union is explained once, not by its first branch',
  );
  t.equal(
    await detail({ amount: '1', currency: 'EUR', note: 'long' }),
    'body/note must NOT have more than 3 characters',
    'without a description, the validator’s own message',
  );
});

t.test('querystrings are coerced, bodies are not', async (t) => {
  const app = await build(t);
  const res = await app.inject({
    method: 'POST',
    url: '/things?limit=5',
    payload: { amount: '1', count: 1 },
  });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { ok: true, limit: 5 });
});

t.test('request ids are honoured and echoed', async (t) => {
  const app = await build(t);
  const given = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'abc-123' },
  });
  t.equal(given.headers['x-request-id'], 'abc-123');
  const odd = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'a b\nc' },
  });
  t.not(odd.headers['x-request-id'], 'a b\nc', 'an unsafe id is replaced');
});

t.test('the catalogue maps every domain code and keeps statuses', async (t) => {
  t.equal(problemFromDomain('account_not_found').code, 'not_found');
  t.equal(problemFromDomain('organization_not_found').statusCode, 404);
  t.equal(problemFromDomain('insufficient_funds').statusCode, 422);
  t.equal(problemFromDomain('account_already_exists').statusCode, 409);
  t.equal(PROBLEMS.rate_limited.status, 429);
  t.equal(PROBLEMS.idempotency_key_reused.status, 409);
  const p = problem('forbidden');
  t.ok(p instanceof HttpProblem);
  t.equal(p.detail, PROBLEMS.forbidden.title, 'detail defaults to the title');
  t.equal(toProblem('a string').code, 'internal_error');
  t.equal(
    toProblem(Object.assign(new Error('x'), { statusCode: 415 })).code,
    'unsupported_media_type',
  );
});

t.test('the database away for a moment is 503 with Retry-After, not 500', async (t) => {
  for (const error of [
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    }),
    new Error('Connection terminated unexpectedly'),
  ]) {
    const p = toProblem(error);
    t.equal(p.statusCode, 503, error.message);
    t.equal(p.code, 'not_ready');
    t.equal(p.headers['retry-after'], '1');
  }
  t.equal(toProblem(Object.assign(new Error('syntax'), { code: '42601' })).statusCode, 500);
});
