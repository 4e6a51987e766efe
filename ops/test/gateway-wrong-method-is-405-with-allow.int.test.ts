// The one origin answers a known path asked with the wrong method 405 with the Allow of the
// whole origin, though each service behind it knows only its own routes. The upstreams are
// platform base apps (the services' own 404/405 handling) with a few routes each.
import { randomUUID } from 'node:crypto';
import { problem } from '@techflow/platform/http';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { buildGateway } from '../src/gateway.js';
import { fakeService } from './helpers/fake-service.js';

const KNOWN = '6f1c2a0e-8d3b-4c5a-9e7f-0a1b2c3d4e5f';

async function origin(t: Test): Promise<string> {
  const ok = async () => ({ ok: true });
  const commandUrl = await fakeService(t, 'command', (app) => {
    app.post('/v1/accounts', ok);
    app.post('/v1/accounts/:id/deposits', ok);
    app.get('/.well-known/jwks.json', ok);
    // Served on the command service's own port only: the origin routes reads to the query.
    app.get('/v1/command-only-read', ok);
  });
  const queryUrl = await fakeService(t, 'query', (app) => {
    app.get('/v1/accounts', ok);
    app.get('/v1/accounts/:id', async (req) => {
      const { id } = req.params as { id: string };
      if (id !== KNOWN) throw problem('not_found', `no account ${id}`);
      return { ok: true };
    });
  });
  const gateway = await buildGateway({ commandUrl, queryUrl, bodyLimit: 1024 });
  t.teardown(() => gateway.close());
  return gateway.listen({ port: 0, host: '127.0.0.1' });
}

async function call(base: string, method: string, path: string) {
  const res = await request(`${base}${path}`, { method });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

t.test('a known path with the wrong method is 405 with the origin’s Allow', async (t) => {
  const base = await origin(t);
  const id = randomUUID();
  const cases = [
    // The command service has nothing at this path; the query service has GET.
    ['DELETE', `/v1/accounts/${id}`, 'GET, HEAD, OPTIONS'],
    ['PUT', `/v1/accounts/${id}`, 'GET, HEAD, OPTIONS'],
    // Each service has one of the two methods.
    ['DELETE', '/v1/accounts', 'GET, HEAD, POST, OPTIONS'],
    ['PATCH', '/v1/accounts?limit=5', 'GET, HEAD, POST, OPTIONS'],
    // The query service has nothing here; the command service has POST.
    ['GET', `/v1/accounts/${id}/deposits`, 'POST, OPTIONS'],
    ['PUT', `/v1/accounts/${id}/deposits`, 'POST, OPTIONS'],
    ['DELETE', '/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
    // The gateway's own.
    ['DELETE', '/health', 'GET, HEAD, OPTIONS'],
    ['POST', '/openapi.json', 'GET, HEAD, OPTIONS'],
  ] as const;
  for (const [method, path, allow] of cases) {
    const res = await call(base, method, path);
    const label = `${method} ${path}`;
    t.equal(res.status, 405, label);
    t.equal(res.headers['allow'], allow, `${label}: Allow`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, label);
    const body = JSON.parse(res.text);
    t.same(Object.keys(body).sort(), ['code', 'detail', 'status', 'title', 'type'], label);
    t.match(body, {
      type: 'https://techflow.dev/problems/method_not_allowed',
      status: 405,
      code: 'method_not_allowed',
      title: 'Method not allowed',
    });
  }
  const head = await call(base, 'HEAD', `/v1/accounts/${id}/deposits`);
  t.equal(head.status, 405, 'HEAD too, without a body');
  t.equal(head.headers['allow'], 'POST, OPTIONS');
  t.equal(head.text, '');
});

t.test('OPTIONS is 204 with the origin’s Allow', async (t) => {
  const base = await origin(t);
  const res = await call(base, 'OPTIONS', '/v1/accounts');
  t.equal(res.status, 204);
  t.equal(res.headers['allow'], 'GET, HEAD, POST, OPTIONS');
  t.equal((await call(base, 'OPTIONS', '/v1/nowhere')).status, 404);
});

t.test('the services’ own 404s and unknown paths stay 404', async (t) => {
  const base = await origin(t);
  const missing = await call(base, 'GET', `/v1/accounts/${randomUUID()}`);
  t.equal(missing.status, 404, 'no such account is the query service’s answer');
  t.match(JSON.parse(missing.text), { code: 'not_found', detail: /^no account / });
  t.equal((await call(base, 'GET', `/v1/accounts/${KNOWN}`)).status, 200);
  for (const [method, path] of [
    ['GET', '/v1/nowhere'],
    ['DELETE', '/v1/nowhere'],
    // The command service has GET there, but the origin publishes no /metrics.
    ['DELETE', '/metrics'],
    // A GET the command service serves, the origin sends to the query service.
    ['DELETE', '/v1/command-only-read'],
  ] as const) {
    const res = await call(base, method, path);
    t.equal(res.status, 404, `${method} ${path}`);
    t.equal(res.headers['allow'], undefined);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(JSON.parse(res.text).code, 'not_found');
  }
});

t.test('Allow says what /openapi.json documents, path by path', async (t) => {
  const base = await origin(t);
  const doc = JSON.parse((await call(base, 'GET', '/openapi.json')).text) as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [template, item] of Object.entries(doc.paths)) {
    const path = template.replace(/\{[^}]+\}/g, KNOWN);
    const documented = Object.keys(item).map((m) => m.toUpperCase());
    const expected = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter(
      (m) =>
        documented.includes(m) || (m === 'HEAD' && documented.includes('GET')) || m === 'OPTIONS',
    );
    const res = await call(base, 'OPTIONS', path);
    t.equal(res.headers['allow'], expected.join(', '), template);
  }
});
