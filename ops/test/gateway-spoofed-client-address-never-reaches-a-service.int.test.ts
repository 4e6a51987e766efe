// Whatever a client says about its own address (Forwarded, X-Real-IP, X-Forwarded-For and
// kin), a service behind the gateway sees the address the gateway saw: in request.ip, in its
// log lines and in its per-address limits. The gateway passed Forwarded and X-Real-IP on as
// the client wrote them.
import { Writable } from 'node:stream';
import { createBaseApp, ipRateLimit, rateLimitPlugin } from '@techflow/platform/http';
import t from 'tap';
import { request } from 'undici';
import { forwardedHeaders } from '../src/gateway/forwarding.js';
import { buildGateway } from '../src/gateway.js';

const SPOOFS = [
  { forwarded: 'for=198.51.100.1', 'x-real-ip': '198.51.100.1' },
  { forwarded: 'for="[2001:db8::2]";proto=https', 'x-real-ip': '198.51.100.2' },
  { 'x-forwarded-for': '198.51.100.3', 'x-client-ip': '198.51.100.3' },
];

t.test('a spoofed address reaches neither request.ip, nor the log, nor a limit', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  // As the services run: they believe X-Forwarded-For from loopback (TRUST_PROXY's default).
  const service = await createBaseApp({
    name: 'command',
    logLevel: 'info',
    logStream,
    bodyLimit: 1024,
    collectDefaultMetrics: false,
    trustProxy: 'loopback',
  });
  await service.register(rateLimitPlugin, { redisKeyPrefix: `tftest-spoof-${process.pid}:` });
  const seen: Array<{ ip: string; forwarded?: string; realIp?: string }> = [];
  await service.register(async (limited) => {
    limited.addHook('onRequest', ipRateLimit(limited, SPOOFS.length - 1));
    limited.post('/v1/auth/login', async (req) => {
      const { forwarded, 'x-real-ip': realIp } = req.headers;
      seen.push({
        ip: req.ip,
        ...(typeof forwarded === 'string' ? { forwarded } : {}),
        ...(typeof realIp === 'string' ? { realIp } : {}),
      });
      return { ok: true };
    });
  });
  const serviceUrl = await service.listen({ port: 0, host: '127.0.0.1' });
  const gateway = await buildGateway({
    commandUrl: serviceUrl,
    queryUrl: serviceUrl,
    bodyLimit: 1024,
  });
  const origin = await gateway.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await gateway.close();
    await service.close();
  });

  const statuses: number[] = [];
  for (const spoof of SPOOFS) {
    const res = await request(`${origin}/v1/auth/login`, { method: 'POST', headers: spoof });
    await res.body.text();
    statuses.push(res.statusCode);
  }
  t.same(statuses, [200, 200, 429], 'every spoof counted against the one real address');
  t.same(
    seen.map((s) => s.ip),
    ['127.0.0.1', '127.0.0.1'],
    'request.ip is the gateway’s peer each time',
  );
  for (const s of seen) {
    t.match(s.forwarded, /^for=127\.0\.0\.1;proto=http;host=/, 'Forwarded is the gateway’s');
    t.equal(s.realIp, '127.0.0.1', 'X-Real-IP is the gateway’s');
  }
  const logged = lines
    .map((line) => JSON.parse(line) as { req?: { remoteAddress?: string } })
    .flatMap((line) => (line.req?.remoteAddress ? [line.req.remoteAddress] : []));
  t.ok(logged.length >= SPOOFS.length, 'each request was logged');
  t.same([...new Set(logged)], ['127.0.0.1'], 'the logged address is the real one');
  t.notMatch(lines.join('\n'), /198\.51\.100|2001:db8/, 'no spoofed address in any log line');
});

t.test('Forwarded quotes what RFC 7239 says to quote', async (t) => {
  const headers = forwardedHeaders(
    { id: 'r1', ip: '::1', protocol: 'http', host: '[::1]:8080' },
    {},
  );
  t.equal(headers['forwarded'], 'for="[::1]";proto=http;host="[::1]:8080"');
  t.equal(headers['x-real-ip'], '::1');
});
