// ?limit= is 1..200 in decimal digits (API.md). Ajv's coercion read any text Number() reads:
// 1e1 was 10, 0x10 16, " 5" and 5.0 were 5.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';

t.test('limit takes decimal digits only', async (t) => {
  const { app, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  const account = randomUUID();
  const lists = ['/v1/accounts', `/v1/accounts/${account}/entries`];
  const refused = ['1e1', '0x10', ' 5', '5 ', '5.0', '+5', '-5', '1_0', '0b1', '', 'Infinity'];
  for (const url of lists) {
    for (const limit of refused) {
      const res = await app.inject({ url, query: { limit }, headers });
      const label = `${url}?limit=${JSON.stringify(limit)}`;
      t.equal(res.statusCode, 400, label);
      t.match(res.headers['content-type'], /^application\/problem\+json/, label);
      t.match(
        res.json(),
        {
          code: 'validation_failed',
          detail:
            /^querystring\/limit is not valid: expected page size: a whole number from 1 to 200/,
        },
        label,
      );
    }
  }
  const repeated = await app.inject({ url: '/v1/accounts?limit=5&limit=6', headers });
  t.equal(repeated.statusCode, 400, 'a repeated limit is refused, not one of them picked');
  t.match(repeated.json(), { code: 'validation_failed', detail: /querystring\/limit/ });

  for (const limit of ['1', '5', '05', '200']) {
    const res = await app.inject({ url: '/v1/accounts', query: { limit }, headers });
    t.equal(res.statusCode, 200, `limit=${limit}`);
  }
});

t.test('the OpenAPI document still says limit is an integer from 1 to 200', async (t) => {
  const { app } = await startQueryService(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  const limit = doc.paths['/v1/accounts'].get.parameters.find(
    (p: { name: string; in: string }) => p.name === 'limit' && p.in === 'query',
  );
  t.match(limit.schema, { type: 'integer', minimum: 1, maximum: 200, default: 50 });
});
