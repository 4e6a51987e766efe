// A service's 401 reaches the client through the origin with its WWW-Authenticate intact
// (RFC 6750's Bearer challenge), like every other header the service answers with.
import { createBaseApp, problem } from '@techflow/platform/http';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { buildGateway } from '../src/gateway.js';

async function upstream(t: Test, name: string): Promise<string> {
  const app = await createBaseApp({
    name,
    logLevel: 'silent',
    bodyLimit: 1024,
    collectDefaultMetrics: false,
  });
  const refuse = async () => {
    throw problem('unauthenticated', 'A bearer token is required');
  };
  app.get('/v1/accounts', refuse);
  app.post('/v1/accounts', refuse);
  t.teardown(() => app.close());
  return app.listen({ port: 0, host: '127.0.0.1' });
}

t.test('a 401 keeps WWW-Authenticate: Bearer through the origin', async (t) => {
  const gateway = await buildGateway({
    commandUrl: await upstream(t, 'command'),
    queryUrl: await upstream(t, 'query'),
    bodyLimit: 1024,
  });
  t.teardown(() => gateway.close());
  const base = await gateway.listen({ port: 0, host: '127.0.0.1' });
  for (const method of ['GET', 'POST'] as const) {
    const res = await request(`${base}/v1/accounts`, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    });
    const body = (await res.body.json()) as { code: string };
    t.equal(res.statusCode, 401, method);
    t.equal(body.code, 'unauthenticated');
    t.equal(res.headers['www-authenticate'], 'Bearer', `${method}: the challenge passes`);
  }
});
