// A service's 401 reaches the client through the origin with its WWW-Authenticate intact
// (RFC 6750's Bearer challenge), like every other header the service answers with.
import { type App, problem } from '@techflow/platform/http';
import t from 'tap';
import { request } from 'undici';
import { buildGateway } from '../src/gateway.js';
import { fakeService } from './helpers/fake-service.js';

const refusing = (app: App) => {
  const refuse = async () => {
    throw problem('unauthenticated', 'A bearer token is required');
  };
  app.get('/v1/accounts', refuse);
  app.post('/v1/accounts', refuse);
};

t.test('a 401 keeps WWW-Authenticate: Bearer through the origin', async (t) => {
  const gateway = await buildGateway({
    commandUrl: await fakeService(t, 'command', refusing),
    queryUrl: await fakeService(t, 'query', refusing),
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
