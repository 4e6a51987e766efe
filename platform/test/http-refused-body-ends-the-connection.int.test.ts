// A body refused before it was read (413 over the limit, a refusal in onRequest) ends the
// connection: kept alive, Node read and dropped the rest, so a client streaming without end
// was read for as long as it kept sending. The client still gets the answer while it sends.

import t, { type Test } from 'tap';
import { request } from 'undici';
import { problem } from '../src/http/index.js';
import { LINGER_MS } from '../src/http/unread-body.js';
import { streamUntilClosed } from '../src/testing/stream-until-closed.js';
import { quietApp } from './helpers/quiet-app.js';

const JSON_POST = 'content-type: application/json\r\nhost: x';

async function listening(t: Test): Promise<number> {
  const app = await quietApp(t);
  app.post('/things', async () => ({ ok: true }));
  await app.register(async (guarded) => {
    guarded.addHook('onRequest', async () => {
      throw problem('unauthenticated', 'no token');
    });
    guarded.post('/guarded', async () => ({ ok: true }));
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return Number(new URL(url).port);
}

const cases = [
  ['a declared body over the limit', 'POST /things', 'content-length: 1000000000', false, 413],
  ['a chunked body over the limit', 'POST /things', 'transfer-encoding: chunked', true, 413],
  ['a body refused before it is read', 'POST /guarded', 'transfer-encoding: chunked', true, 401],
] as const;

for (const [name, line, length, chunked, status] of cases) {
  t.test(`${name}: answered, then the connection ends`, async (t) => {
    const port = await listening(t);
    const res = await streamUntilClosed({
      port,
      head: `${line} HTTP/1.1\r\n${JSON_POST}\r\n${length}`,
      chunked,
      giveUpMs: LINGER_MS + 4000,
    });
    t.match(res.response, new RegExp(`^HTTP/1\\.1 ${status} `), 'the answer reached the client');
    t.match(res.response, /\r\nconnection: close\r\n/i);
    t.match(res.response, /application\/problem\+json/);
    t.ok(res.closedAfterMs !== undefined, 'the server ended the connection');
    t.ok(
      (res.closedAfterMs ?? Number.POSITIVE_INFINITY) < LINGER_MS + 1500,
      `within the linger (${res.closedAfterMs} ms)`,
    );
  });
}

t.test('a request read in full keeps its connection', async (t) => {
  const port = await listening(t);
  const res = await request(`http://127.0.0.1:${port}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await res.body.text();
  t.equal(res.statusCode, 200);
  t.not(res.headers['connection'], 'close');
  const refused = await request(`http://127.0.0.1:${port}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"pad":"' + 'x'.repeat(2000) + '"}',
  });
  t.equal(refused.statusCode, 413, 'a whole body over the limit is refused too');
  await refused.body.text();
});
