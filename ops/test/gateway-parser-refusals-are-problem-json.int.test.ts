// Regression: the origin answered what Node's HTTP parser refuses (a head over 16 KiB, a
// request line that is not HTTP) with Fastify's `{"error": ...}` as application/json.
import type { App } from '@techflow/platform/http';
import { rawRequest } from '@techflow/platform/testing';
import t from 'tap';
import { buildGateway } from '../src/gateway.js';
import { fakeService } from './helpers/fake-service.js';

const listing = (app: App) => {
  app.get('/v1/accounts', async () => ({ items: [], nextCursor: null }));
};

t.test('the origin answers what the HTTP parser refuses as problem+json', async (t) => {
  const gateway = await buildGateway({
    commandUrl: await fakeService(t, 'command', listing),
    queryUrl: await fakeService(t, 'query', listing),
    bodyLimit: 1024,
  });
  t.teardown(() => gateway.close());
  const port = Number(new URL(await gateway.listen({ port: 0, host: '127.0.0.1' })).port);
  const cases = [
    [`GET /v1/accounts?cursor=${'a'.repeat(17_000)} HTTP/1.1\r\nhost: x\r\n\r\n`, 431],
    [`GET /v1/accounts HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ['HELLO THERE\r\n\r\n', 400],
  ] as const;
  for (const [text, status] of cases) {
    const res = await rawRequest(port, text);
    t.equal(res.status, status);
    t.equal(res.headers['content-type'], 'application/problem+json');
    t.ok(res.closed, 'the connection ends');
    const body = JSON.parse(res.body);
    t.equal(body.status, status);
    t.equal(body.code, status === 431 ? 'request_header_fields_too_large' : 'bad_request');
    t.equal(body.type, `https://techflow.dev/problems/${body.code}`);
  }
  const fine = await rawRequest(
    port,
    'GET /v1/accounts HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
  );
  t.equal(fine.status, 200, 'the origin still answers');
});
