// Routing of the one origin, against two small fake upstreams standing in for the command and
// query services (only their routing is under test here; the real services have their own).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { trustProxyOf } from '@techflow/platform';
import { closeWithin } from '@techflow/platform/http';
import { closeOnKeepAlive } from '@techflow/platform/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import { request } from 'undici';
import { buildGateway } from '../src/gateway.js';

interface Echo {
  service: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

const schemaDoc = (paths: Record<string, unknown>, schemas: Record<string, unknown>) => ({
  openapi: '3.1.0',
  info: { title: 'x', version: '1' },
  paths,
  components: { schemas },
});

const money = { type: 'string', pattern: '^-?[0-9]{1,19}$' };

/** The services' default BODY_LIMIT_BYTES; the fake upstreams take up to 8 MiB. */
const BODY_LIMIT = 64 * 1024;

/** A fake service: echoes what reached it, and answers /ready and /openapi.json. */
async function fakeUpstream(service: 'command' | 'query'): Promise<{
  app: FastifyInstance;
  url: string;
  hits: Map<string, number>;
}> {
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
  const hits = new Map<string, number>();
  // Every body as raw bytes, JSON included, so the echo counts exactly what arrived.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (req) => {
    hits.set(req.url, (hits.get(req.url) ?? 0) + 1);
  });
  app.get('/ready', async () => ({ status: 'ok' }));
  app.get('/openapi.json', async () =>
    service === 'command'
      ? schemaDoc(
          {
            '/v1/accounts': {
              post: { responses: { '201': { $ref: '#/components/schemas/Account' } } },
            },
            '/v1/command-only-read': { get: { responses: { '200': { description: 'x' } } } },
            '/.well-known/jwks.json': { get: { responses: { '200': { description: 'x' } } } },
          },
          { Account: { type: 'object', required: ['accountId'] }, Money: money },
        )
      : schemaDoc(
          {
            '/v1/accounts': {
              get: { responses: { '200': { $ref: '#/components/schemas/Account' } } },
            },
          },
          { Account: { type: 'object', required: ['balance'] }, Money: money },
        ),
  );
  app.get('/v1/stale', async (_req, reply) =>
    reply.code(503).type('application/problem+json').send({ code: 'stale_read_model' }),
  );
  const echo = async (req: {
    method: string;
    url: string;
    headers: Echo['headers'];
    body?: unknown;
  }) =>
    ({
      service,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyBytes: Buffer.isBuffer(req.body) ? req.body.length : 0,
    }) satisfies Echo;
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (req, reply) => {
      reply.header('ratelimit-remaining', '41');
      return reply.code(req.method === 'POST' ? 201 : 200).send(await echo(req));
    },
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, hits };
}

/** A URL where nothing listens (a port taken and released). */
async function deadUrl(): Promise<string> {
  const app = Fastify();
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  await app.close();
  return url;
}

async function call(
  origin: string,
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  urlPath: string,
  init: { headers?: Record<string, string>; body?: string | Buffer | Readable } = {},
) {
  const res = await request(`${origin}${urlPath}`, { method, ...init });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/**
 * A request as curl sends one: node:http keeps the path as written (undici would resolve dot
 * segments first) and lets Expect: 100-continue through (undici refuses it), sending the body
 * once the server says 100 Continue.
 */
function rawCall(
  origin: string,
  method: string,
  urlPath: string,
  init: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    // Declared as curl does: node:http would send a body after Expect chunked.
    const length = init.body ? { 'content-length': String(init.body.length) } : {};
    const headers = { ...length, ...init.headers };
    const req = httpRequest({ hostname, port, method, path: urlPath, headers });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    if (init.headers?.['expect'] === '100-continue') req.on('continue', () => req.end(init.body));
    else req.end(init.body);
  });
}

const json = <T>(text: string): T => JSON.parse(text) as T;

/** What a client would send to pass for someone else, or what a balancer in front sends. */
const SPOOFED_FORWARDING = {
  'x-forwarded-for': '198.51.100.9, 203.0.113.7',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'app.example.com',
};

/** Other ways to claim an address, which the gateway believes from nobody. */
const SPOOFED_CLAIMS = {
  forwarded: 'for=198.51.100.1;proto=https',
  'x-real-ip': '198.51.100.2',
  'x-client-ip': '198.51.100.3',
  'true-client-ip': '198.51.100.4',
  'cf-connecting-ip': '198.51.100.5',
  'x-forwarded-port': '8443',
};

t.test('the one origin', async (t) => {
  const command = await fakeUpstream('command');
  const query = await fakeUpstream('query');
  const gateway = await buildGateway({
    commandUrl: command.url,
    queryUrl: query.url,
    bodyLimit: BODY_LIMIT,
  });
  const origin = await gateway.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await gateway.close();
    await command.app.close();
    await query.app.close();
  });

  t.test('reads go to the query service, with the query string', async (t) => {
    const res = await call(origin, 'GET', '/v1/accounts?limit=5&cursor=abc');
    t.equal(res.status, 200);
    const echo = json<Echo>(res.text);
    t.equal(echo.service, 'query');
    t.equal(echo.url, '/v1/accounts?limit=5&cursor=abc');
  });

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    t.test(`${method} goes to the command service with its body`, async (t) => {
      const body = JSON.stringify({ role: 'admin' });
      const res = await call(origin, method, '/v1/members/42', {
        headers: { 'content-type': 'application/json' },
        body,
      });
      const echo = json<Echo>(res.text);
      t.equal(echo.service, 'command');
      t.equal(echo.method, method);
      t.equal(echo.bodyBytes, Buffer.byteLength(body));
      t.equal(res.status, method === 'POST' ? 201 : 200, 'the upstream status passes through');
    });
  }

  t.test('a chunked body streams through up to the limit, and past it is 413', async (t) => {
    const res = await call(origin, 'POST', '/v1/imports', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.alloc(BODY_LIMIT / 2, 'a'), Buffer.alloc(BODY_LIMIT / 2, 'b')]),
    });
    const echo = json<Echo>(res.text);
    t.equal(echo.headers['content-length'], undefined, 'sent without a Content-Length');
    t.equal(echo.bodyBytes, BODY_LIMIT);
    // Counted on its way: the gateway answers, not the service (whose own 413 and close came
    // back to the client as no answer at all, its socket destroyed with the request).
    const over = await call(origin, 'POST', '/v1/imports', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from([Buffer.alloc(BODY_LIMIT, 'a'), Buffer.alloc(1, 'b')]),
    });
    t.equal(over.status, 413);
    t.match(json(over.text), {
      code: 'payload_too_large',
      detail: `the body is over ${BODY_LIMIT} bytes, the most accepted`,
    });
  });

  t.test(
    'a body whose Content-Length is over the limit is refused before the service',
    async (t) => {
      // The service would answer 413 and close while the gateway was still writing: 502 EPIPE.
      const res = await call(origin, 'POST', '/v1/too-large', {
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(70 * 1024, ' '),
      });
      t.equal(res.status, 413);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.equal(json<{ code: string }>(res.text).code, 'payload_too_large');
      t.equal(command.hits.get('/v1/too-large'), undefined, 'the command service saw nothing');
      const atLimit = await call(origin, 'POST', '/v1/at-limit', {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(BODY_LIMIT),
      });
      t.equal(json<Echo>(atLimit.text).bodyBytes, BODY_LIMIT, 'the limit itself passes');
    },
  );

  t.test('curl’s way with a large body, Expect: 100-continue, gets 413 too', async (t) => {
    const res = await rawCall(origin, 'POST', '/v1/too-large', {
      headers: { 'content-type': 'application/json', expect: '100-continue' },
      body: Buffer.alloc(2 * 1024 * 1024, ' '),
    });
    t.equal(res.status, 413);
    t.equal(json<{ code: string }>(res.text).code, 'payload_too_large');
  });

  t.test('a body sent after Expect: 100-continue reaches the service', async (t) => {
    // curl asks this by itself for bodies over 1 MiB; undici refuses to send the header on.
    const body = Buffer.alloc(10_000, 'a');
    const res = await rawCall(origin, 'POST', '/v1/imports', {
      headers: { 'content-type': 'application/octet-stream', expect: '100-continue' },
      body,
    });
    t.equal(res.status, 201, 'the service’s answer, not 502');
    const echo = json<Echo>(res.text);
    t.equal(echo.bodyBytes, body.length);
    t.equal(echo.headers['expect'], undefined, 'the gateway already answered it');
  });

  t.test('headers pass through both ways', async (t) => {
    const sent = {
      authorization: 'Bearer abc.def.ghi',
      'idempotency-key': 'key-1',
      'x-min-position': '1234',
      'last-event-id': '99',
    };
    const write = json<Echo>((await call(origin, 'POST', '/v1/accounts', { headers: sent })).text);
    const res = await call(origin, 'GET', '/v1/accounts', { headers: sent });
    const read = json<Echo>(res.text);
    for (const [name, value] of Object.entries(sent)) {
      t.equal(write.headers[name], value, `${name} reaches the command service`);
      t.equal(read.headers[name], value, `${name} reaches the query service`);
    }
    t.equal(res.headers['ratelimit-remaining'], '41', 'response headers come back');
    t.equal(read.headers['x-forwarded-for'], '127.0.0.1');
  });

  t.test('a client’s own X-Forwarded-* are replaced by what the gateway saw', async (t) => {
    // The services trust the gateway's hop: a forwarded claim here would be their client address.
    const res = await call(origin, 'POST', '/v1/auth/login', {
      headers: { ...SPOOFED_FORWARDING, ...SPOOFED_CLAIMS },
    });
    const echo = json<Echo>(res.text);
    const host = new URL(origin).host;
    t.equal(echo.headers['x-forwarded-for'], '127.0.0.1', 'the socket address, alone');
    t.equal(echo.headers['x-forwarded-proto'], 'http');
    t.equal(echo.headers['x-forwarded-host'], host);
    // Forwarded and X-Real-IP say the same as X-Forwarded-*, whoever reads them.
    t.equal(echo.headers['forwarded'], `for=127.0.0.1;proto=http;host="${host}"`);
    t.equal(echo.headers['x-real-ip'], '127.0.0.1');
    for (const claim of ['x-client-ip', 'true-client-ip', 'cf-connecting-ip', 'x-forwarded-port']) {
      t.equal(echo.headers[claim], undefined, `${claim} is not passed on`);
    }
  });

  t.test('identity documents are the command service’s', async (t) => {
    const res = await call(origin, 'GET', '/.well-known/jwks.json');
    t.equal(json<Echo>(res.text).service, 'command');
  });

  t.test('a 503 read is answered once, not retried', async (t) => {
    const res = await call(origin, 'GET', '/v1/stale');
    t.equal(res.status, 503);
    t.equal(json<{ code: string }>(res.text).code, 'stale_read_model');
    t.equal(query.hits.get('/v1/stale'), 1, 'the query service saw exactly one request');
  });

  t.test('/health and /ready answer on the origin', async (t) => {
    t.equal((await call(origin, 'GET', '/health')).status, 200);
    const ready = await call(origin, 'GET', '/ready');
    t.equal(ready.status, 200);
    t.same(json<{ checks: unknown }>(ready.text).checks, { command: 'ok', query: 'ok' });
  });

  t.test('the services’ metrics are not published on the origin', async (t) => {
    const res = await call(origin, 'GET', '/metrics');
    t.equal(res.status, 404);
    t.equal(json<{ code: string }>(res.text).code, 'not_found');
  });

  t.test('a path with a . or .. segment is refused before routing', async (t) => {
    // An upstream would resolve /./metrics to /metrics, which the origin does not publish.
    const refused: ReadonlyArray<readonly [string, string]> = [
      ['GET', '/./metrics'],
      ['GET', '/v1/./accounts'],
      ['GET', '/%2e/metrics'],
      ['GET', '/v1/.%2E/metrics'],
      ['GET', '/v1/.\\metrics'],
      ['GET', '/v1/accounts/.'],
      ['POST', '/v1/./accounts'],
    ];
    for (const [method, url] of refused) {
      const res = await rawCall(origin, method, url);
      t.equal(res.status, 400, `${method} ${url}`);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
      t.equal(json<{ code: string }>(res.text).code, 'validation_failed');
    }
    t.equal(query.hits.get('/metrics'), undefined, 'the query service’s /metrics was not reached');
    const dots = await rawCall(origin, 'GET', '/v1/x./a..b/c..');
    t.equal(json<Echo>(dots.text).url, '/v1/x./a..b/c..', 'dots inside a segment are a name');
  });

  t.test('a malformed percent-encoding is a problem too, typed like the services’', async (t) => {
    const res = await rawCall(origin, 'GET', '/v1/accounts/%E0%A4%A');
    t.equal(res.status, 400);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(json(res.text), {
      type: 'https://techflow.dev/problems/validation_failed',
      code: 'validation_failed',
      detail: /percent-encoded/,
    });
    const missing = await call(origin, 'GET', '/metrics');
    t.equal(json<{ type: string }>(missing.text).type, 'https://techflow.dev/problems/not_found');
  });

  t.test('without a built UI, / says so in plain text', async (t) => {
    const res = await call(origin, 'GET', '/');
    t.equal(res.status, 200);
    t.match(res.headers['content-type'], /^text\/plain/);
    t.match(res.text, /no UI yet/);
    // It named `npm run build -w @techflow/web-components`, a script that does not exist.
    t.notMatch(res.text, /npm run/, 'no command that does not exist');
  });

  t.test('/openapi.json merges both documents by routing', async (t) => {
    const res = await call(origin, 'GET', '/openapi.json');
    t.equal(res.status, 200);
    const doc = json<{
      paths: Record<string, Record<string, { responses: Record<string, { $ref?: string }> }>>;
      components: { schemas: Record<string, unknown> };
    }>(res.text);
    t.ok(doc.paths['/v1/accounts']?.['post'], 'the write comes from the command service');
    t.ok(doc.paths['/v1/accounts']?.['get'], 'the read comes from the query service');
    t.ok(doc.paths['/.well-known/jwks.json']?.['get'], 'JWKS is routed to the command service');
    t.notOk(doc.paths['/v1/command-only-read'], 'a GET the origin cannot reach is left out');
    t.ok(doc.paths['/ready']?.['get'], 'the gateway documents its own paths');
    t.same(Object.keys(doc.components.schemas).sort(), ['Account', 'Account_query', 'Money']);
    t.equal(
      doc.paths['/v1/accounts']?.['get']?.responses['200']?.$ref,
      '#/components/schemas/Account_query',
      'a colliding component is renamed and its references follow',
    );
    const own = await call(origin, 'GET', '/openapi/query.json');
    t.same(Object.keys(json<{ paths: object }>(own.text).paths), ['/v1/accounts']);
  });

  t.test('/docs is one Swagger UI over the merged document', async (t) => {
    // The page and its assets are the command service's Swagger UI; the document it loads
    // (./json, relative to the page) is the gateway's merged one.
    for (const url of ['/docs', '/docs/', '/docs/static/swagger-initializer.js']) {
      const res = await call(origin, 'GET', url);
      t.equal(res.status, 200, url);
      t.match(json<Echo>(res.text), { service: 'command', url }, url);
    }
    const page = await call(origin, 'GET', '/docs/json');
    const whole = await call(origin, 'GET', '/openapi.json');
    t.equal(page.status, 200);
    t.same(json(page.text), json(whole.text));
    for (const service of ['command', 'query'] as const) {
      const res = await call(origin, 'GET', `/docs/${service}/static/x.js`);
      t.match(json<Echo>(res.text), { service, url: '/docs/static/x.js' }, `${service}'s own UI`);
    }
  });
});

t.test('behind a trusted balancer, the client it names is forwarded', async (t) => {
  const command = await fakeUpstream('command');
  // The test client plays the balancer; the addresses it forwards are nobody the gateway trusts.
  const gateway = await buildGateway({
    commandUrl: command.url,
    queryUrl: await deadUrl(),
    bodyLimit: BODY_LIMIT,
    trustProxy: trustProxyOf('127.0.0.1'),
  });
  const origin = await gateway.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => {
    await gateway.close();
    await command.app.close();
  });
  const res = await call(origin, 'POST', '/v1/auth/login', {
    headers: { ...SPOOFED_FORWARDING, ...SPOOFED_CLAIMS },
  });
  const echo = json<Echo>(res.text);
  t.equal(echo.headers['x-forwarded-for'], '203.0.113.7', 'the address the balancer saw, alone');
  t.equal(echo.headers['x-forwarded-proto'], 'https');
  t.equal(echo.headers['x-forwarded-host'], 'app.example.com');
  // Only X-Forwarded-For names the client, even from a trusted balancer.
  t.equal(echo.headers['forwarded'], 'for=203.0.113.7;proto=https;host=app.example.com');
  t.equal(echo.headers['x-real-ip'], '203.0.113.7');
});

t.test(
  'a request that arrives while closing is a 503 problem with Connection: close',
  async (t) => {
    // An upstream that holds /v1/slow until released, so the close begins with it in flight.
    const upstream = Fastify();
    let release: () => void = () => undefined;
    let started = false;
    upstream.get('/v1/slow', () => {
      started = true;
      return new Promise((resolve) => {
        release = () => resolve({ done: true });
      });
    });
    upstream.get('/*', async () => ({ ok: true }));
    const upstreamUrl = await upstream.listen({ port: 0, host: '127.0.0.1' });
    const gateway = await buildGateway({
      commandUrl: upstreamUrl,
      queryUrl: upstreamUrl,
      bodyLimit: BODY_LIMIT,
    });
    const { port } = new URL(await gateway.listen({ port: 0, host: '127.0.0.1' }));
    t.teardown(async () => {
      release();
      await gateway.close();
      await upstream.close();
    });
    const { closed, first, second } = await closeOnKeepAlive({
      port: Number(port),
      slowPath: '/v1/slow',
      started: () => started,
      release: () => release(),
      latePath: '/v1/accounts',
      close: () => closeWithin(gateway, 5000),
    });
    t.equal(closed, 'closed');
    t.match(first, /^HTTP\/1\.1 200/, 'the request in flight finishes');
    t.match(second, /^HTTP\/1\.1 503/, 'the late one is refused');
    t.match(second, /content-type: application\/problem\+json/i);
    t.match(second, /connection: close/i);
    t.match(second, /"code":"not_ready"/);
  },
);

t.test('/ready names the upstream that is not ready', async (t) => {
  const command = await fakeUpstream('command');
  const gateway = await buildGateway({
    commandUrl: command.url,
    queryUrl: await deadUrl(),
    bodyLimit: BODY_LIMIT,
  });
  t.teardown(async () => {
    await gateway.close();
    await command.app.close();
  });
  const res = await gateway.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  const problem = res.json<{ code: string; detail: string; checks: Record<string, string> }>();
  t.equal(problem.code, 'not_ready');
  t.match(problem.detail, /query service/);
  t.notMatch(problem.detail, /command service/);
  t.equal(problem.checks['command'], 'ok');
  t.not(problem.checks['query'], 'ok');

  const write = await gateway.inject({ method: 'GET', url: '/v1/accounts' });
  t.equal(write.statusCode, 502, 'a request to a down upstream is a problem, not a hang');
  t.equal(write.json<{ code: string }>().code, 'upstream_unavailable');
});

t.test('/ready on the origin says when the projectors are down', async (t) => {
  const command = await fakeUpstream('command');
  const query = await fakeUpstream('query');
  const gateway = await buildGateway({
    commandUrl: command.url,
    queryUrl: query.url,
    projectorsUrl: await deadUrl(),
    bodyLimit: BODY_LIMIT,
  });
  t.teardown(async () => {
    await gateway.close();
    await command.app.close();
    await query.app.close();
  });
  const res = await gateway.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  const problem = res.json<{ detail: string; checks: Record<string, string> }>();
  t.equal(problem.detail, 'not ready: projectors');
  t.same(Object.keys(problem.checks), ['command', 'query', 'projectors']);
});

t.test('/ready on the origin passes on what a service reports as degraded', async (t) => {
  const command = await fakeUpstream('command');
  const query = await fakeUpstream('query');
  // Projectors holding a tenant back: ready, with a part degraded.
  const projectors = Fastify();
  projectors.get('/ready', async () => ({
    status: 'ok',
    checks: ['postgres'],
    degraded: ['held tenants'],
  }));
  await projectors.listen({ port: 0, host: '127.0.0.1' });
  const address = projectors.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const gateway = await buildGateway({
    commandUrl: command.url,
    queryUrl: query.url,
    projectorsUrl: `http://127.0.0.1:${port}`,
    bodyLimit: BODY_LIMIT,
  });
  t.teardown(async () => {
    await gateway.close();
    await projectors.close();
    await command.app.close();
    await query.app.close();
  });
  const res = await gateway.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 200);
  t.match(res.json(), {
    status: 'ok',
    checks: { command: 'ok', query: 'ok', projectors: 'ok' },
    degraded: ['projectors: held tenants'],
  });
});

t.test('with a built UI: files, SPA fallback, and /v1 still proxied', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tf-ui-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>TechFlow</title>');
  writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
  const query = await fakeUpstream('query');
  const gateway = await buildGateway({
    commandUrl: await deadUrl(),
    queryUrl: query.url,
    staticDir: dir,
    bodyLimit: BODY_LIMIT,
  });
  t.teardown(async () => {
    await gateway.close();
    await query.app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const index = await gateway.inject({ method: 'GET', url: '/' });
  t.match(index.body, /<title>TechFlow/);
  const deep = await gateway.inject({ method: 'GET', url: '/accounts/42' });
  t.equal(deep.statusCode, 200);
  t.match(deep.body, /<title>TechFlow/, 'a client-side route gets index.html');
  t.equal((await gateway.inject({ method: 'GET', url: '/app.js' })).body, 'console.log(1)');
  const missing = await gateway.inject({ method: 'GET', url: '/missing.js' });
  t.equal(missing.statusCode, 404, 'a missing asset is not answered with HTML');
  const api = await gateway.inject({ method: 'GET', url: '/v1/accounts' });
  t.equal(api.json<Echo>().service, 'query');
});
