// A body the origin refuses, or a service answers before reading, ends the connection once the
// client has its answer. The gateway kept a connection alive after its own 413 and read every
// declared byte first; a chunked body past the limit, or one a service refused early, got no
// answer at all (undici destroyed the request it streamed, and the client's socket with it).
import { createBaseApp, LINGER_MS, problem } from '@techflow/platform/http';
import { streamUntilClosed } from '@techflow/platform/testing';
import t, { type Test } from 'tap';
import { buildGateway } from '../src/gateway.js';

const BODY_LIMIT = 1024;

async function origin(
  t: Test,
  gatewayLimit: number,
): Promise<{ port: number; seen: () => number }> {
  const service = await createBaseApp({
    name: 'command',
    logLevel: 'silent',
    bodyLimit: BODY_LIMIT,
    collectDefaultMetrics: false,
  });
  let seen = 0;
  service.addHook('onRequest', async () => {
    seen++;
  });
  service.post('/v1/things', async () => ({ ok: true }));
  await service.register(async (guarded) => {
    guarded.addHook('onRequest', async () => {
      throw problem('unauthenticated', 'no token');
    });
    guarded.post('/v1/guarded', async () => ({ ok: true }));
  });
  const serviceUrl = await service.listen({ port: 0, host: '127.0.0.1' });
  const gateway = await buildGateway({
    commandUrl: serviceUrl,
    queryUrl: serviceUrl,
    bodyLimit: gatewayLimit,
  });
  const url = await gateway.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await gateway.close();
    await service.close();
  });
  return { port: Number(new URL(url).port), seen: () => seen };
}

const JSON_POST = 'content-type: application/json\r\nhost: x';

// The last one's limit is far above what the client sends before the service answers.
const cases = [
  [
    'a declared body over the limit',
    '/v1/things',
    'content-length: 1000000000',
    false,
    413,
    BODY_LIMIT,
  ],
  [
    'a chunked body over the limit',
    '/v1/things',
    'transfer-encoding: chunked',
    true,
    413,
    BODY_LIMIT,
  ],
  [
    'a body the service refuses unread',
    '/v1/guarded',
    'transfer-encoding: chunked',
    true,
    401,
    2 ** 30,
  ],
] as const;

for (const [name, path, length, chunked, status, gatewayLimit] of cases) {
  t.test(`${name}: answered, then the connection ends`, async (t) => {
    const { port, seen } = await origin(t, gatewayLimit);
    const res = await streamUntilClosed({
      port,
      head: `POST ${path} HTTP/1.1\r\n${JSON_POST}\r\n${length}`,
      chunked,
      giveUpMs: LINGER_MS + 4000,
    });
    t.match(res.response, new RegExp(`^HTTP/1\\.1 ${status} `), 'the answer reached the client');
    t.match(res.response, /\r\nconnection: close\r\n/i);
    t.match(res.response, /application\/problem\+json/);
    t.ok(res.closedAfterMs !== undefined, 'the gateway ended the connection');
    t.ok(
      (res.closedAfterMs ?? Number.POSITIVE_INFINITY) < LINGER_MS + 1500,
      `within the linger (${res.closedAfterMs} ms)`,
    );
    if (!chunked) t.equal(seen(), 0, 'the service saw nothing of a declared one');
  });
}
