// Regression: what Node's HTTP parser refuses before any request exists (a head over 16 KiB,
// a request line that is not HTTP) answered Fastify's `{"error": ...}` as application/json,
// the one error a client could not branch on by `code`.
import t from 'tap';
import { rawRequest } from '../src/testing/index.js';
import { quietApp } from './helpers/quiet-app.js';

const cases = [
  [
    'a query string past the header limit',
    `GET /things?cursor=${'a'.repeat(17_000)} HTTP/1.1\r\nhost: x\r\n\r\n`,
    431,
    'request_header_fields_too_large',
  ],
  [
    'a 20,000-byte header',
    `GET /things HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`,
    431,
    'request_header_fields_too_large',
  ],
  ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400, 'bad_request'],
  [
    'a header line without a colon',
    'GET /things HTTP/1.1\r\nhost: x\r\nnot a header\r\n\r\n',
    400,
    'bad_request',
  ],
] as const;

t.test('what the HTTP parser refuses is problem+json, and the connection ends', async (t) => {
  const app = await quietApp(t);
  app.get('/things', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  for (const [name, text, status, code] of cases) {
    const res = await rawRequest(port, text);
    t.equal(res.status, status, `${name}: status`);
    t.equal(res.headers['content-type'], 'application/problem+json', `${name}: content type`);
    t.equal(res.headers['connection'], 'close', `${name}: says the connection ends`);
    t.ok(res.closed, `${name}: and ends it`);
    const body = JSON.parse(res.body);
    t.same(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type']);
    t.equal(body.code, code, `${name}: code`);
    t.equal(body.status, status);
    t.equal(body.type, `https://techflow.dev/problems/${code}`);
    t.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
  }
  const fine = await rawRequest(
    port,
    'GET /things HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
  );
  t.equal(fine.status, 200, 'the server still answers');
});
