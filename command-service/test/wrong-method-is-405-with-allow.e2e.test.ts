import { randomUUID } from 'node:crypto';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

t.test('a path of this service asked with another method is 405 with Allow', async (t) => {
  const { app, signup } = await startCommandService(t);
  const owner = await signup();
  const id = randomUUID();
  const cases = [
    ['DELETE', '/v1/accounts', 'POST, OPTIONS'],
    ['PUT', `/v1/accounts/${id}/deposits`, 'POST, OPTIONS'],
    ['GET', `/v1/accounts/${id}/freeze`, 'POST, OPTIONS'],
    ['GET', '/v1/auth/login', 'POST, OPTIONS'],
    ['DELETE', '/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
  ] as const;
  for (const [method, url, allow] of cases) {
    const res = await app.inject({ method, url, headers: owner.auth });
    t.equal(res.statusCode, 405, `${method} ${url}`);
    t.equal(res.headers['allow'], allow, `${method} ${url}: Allow`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 405, code: 'method_not_allowed', detail: String });
  }
  const options = await app.inject({ method: 'OPTIONS', url: `/v1/accounts/${id}/withdrawals` });
  t.equal(options.statusCode, 204);
  t.equal(options.headers['allow'], 'POST, OPTIONS');
  // The reads of an account are the query service's: nothing is routed here at that path.
  const elsewhere = await app.inject({ method: 'PUT', url: `/v1/accounts/${id}` });
  t.equal(elsewhere.statusCode, 404);
  t.equal(elsewhere.json().code, 'not_found');
});
