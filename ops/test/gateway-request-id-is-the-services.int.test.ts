// One request, one id: the gateway's log, the service's log and the answer's X-Request-Id all
// name the same one (the caller's own when it sent a plain one), where the gateway logged
// Fastify's req-N and the service a UUID of its own.
import { Writable } from 'node:stream';
import { createBaseApp } from '@techflow/platform/http';
import { pino } from 'pino';
import t from 'tap';
import { request } from 'undici';
import { buildGateway } from '../src/gateway.js';

const collector = () => {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
};

t.test('the gateway and the service log one request under one id', async (t) => {
  const serviceLog = collector();
  const service = await createBaseApp({
    name: 'query',
    logLevel: 'info',
    logStream: serviceLog.stream,
    bodyLimit: 1024,
    collectDefaultMetrics: false,
  });
  const seen: string[] = [];
  service.get('/v1/things', async (req) => {
    seen.push(req.id);
    return { ok: true };
  });
  service.get('/v1/broken', async (req) => {
    seen.push(req.id);
    // A reset with no answer: the gateway logs and answers 502 itself.
    req.raw.socket.destroy();
  });
  const serviceUrl = await service.listen({ port: 0, host: '127.0.0.1' });
  const gatewayLog = collector();
  const gateway = await buildGateway({
    commandUrl: serviceUrl,
    queryUrl: serviceUrl,
    bodyLimit: 1024,
    logger: pino({ level: 'info' }, gatewayLog.stream),
  });
  const origin = await gateway.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await gateway.close();
    await service.close();
  });

  const plain = await request(`${origin}/v1/things`);
  await plain.body.text();
  const id = String(plain.headers['x-request-id']);
  t.match(id, /^[0-9a-f-]{36}$/, 'an id is made when the caller sent none');
  t.equal(seen.at(-1), id, 'the service handled it under the same id');
  t.ok(
    serviceLog.lines.some((l) => l['reqId'] === id),
    'and logged it under that id',
  );

  const given = await request(`${origin}/v1/things`, { headers: { 'x-request-id': 'trace-42' } });
  await given.body.text();
  t.equal(given.headers['x-request-id'], 'trace-42', "the caller's plain id is kept");
  t.equal(seen.at(-1), 'trace-42');

  const odd = await request(`${origin}/v1/things`, { headers: { 'x-request-id': 'a b<c>' } });
  await odd.body.text();
  t.not(odd.headers['x-request-id'], 'a b<c>', 'an id that is not plain is replaced');
  t.equal(seen.at(-1), odd.headers['x-request-id'], '…by one the service uses as well');

  const broken = await request(`${origin}/v1/broken`);
  await broken.body.text();
  t.equal(broken.statusCode, 502);
  const brokenId = seen.at(-1);
  t.ok(
    gatewayLog.lines.some((l) => l['reqId'] === brokenId),
    "the gateway's own log line about it carries the service's id",
  );
});
