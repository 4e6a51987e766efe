import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startQueryService } from './helpers/harness.js';

t.test('a path of this service asked with another method is 405 with Allow', async (t) => {
  const { app } = await startQueryService(t);
  const id = randomUUID();
  const cases = [
    ['DELETE', '/v1/accounts'],
    ['POST', '/v1/accounts'],
    ['DELETE', `/v1/accounts/${id}`],
    ['PUT', `/v1/accounts/${id}`],
    ['PATCH', `/v1/accounts/${id}/entries?limit=5`],
    ['POST', '/v1/members'],
    ['DELETE', '/v1/admin/projections'],
  ] as const;
  for (const [method, url] of cases) {
    const res = await app.inject({ method, url });
    t.equal(res.statusCode, 405, `${method} ${url}`);
    t.equal(res.headers['allow'], 'GET, HEAD, OPTIONS', `${method} ${url}: Allow`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 405, code: 'method_not_allowed', detail: String });
  }
  const deposits = await app.inject({ method: 'GET', url: `/v1/accounts/${id}/deposits` });
  t.equal(deposits.statusCode, 404, 'a path only the command service routes is unknown here');
});
