import t from 'tap';
import { startQueryService } from './helpers/harness.js';

interface Response {
  description?: string;
  headers?: Record<string, { description?: string; schema?: object }>;
}

t.test('the document says which headers the reads answer with', async (t) => {
  const { app } = await startQueryService(t);
  const doc = (await app.inject({ url: '/openapi.json' })).json<{
    paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  }>();
  const get = (path: string) => doc.paths[path]?.['get']?.responses ?? {};
  const headersOf = (path: string, status: string) => Object.keys(get(path)[status]?.headers ?? {});

  for (const path of ['/v1/accounts', '/v1/accounts/{id}', '/v1/accounts/{id}/entries']) {
    t.ok(headersOf(path, '200').includes('X-Position'), `${path}: 200 says X-Position`);
    t.ok(headersOf(path, '200').includes('RateLimit-Remaining'), `${path}: 200 says its limit`);
    t.ok(headersOf(path, '429').includes('Retry-After'), `${path}: 429 says when to retry`);
    t.ok(headersOf(path, '503').includes('Retry-After'), `${path}: 503 says when to retry`);
    t.ok(headersOf(path, '401').includes('X-Request-Id'), `${path}: errors name the request`);
    t.notOk(
      Object.values(get(path)).some((r) => r.description === 'Default Response'),
      `${path}: every answer is described`,
    );
  }
  t.ok(headersOf('/v1/accounts/{id}', '200').includes('ETag'), 'the conditional read has an ETag');
  t.ok(headersOf('/v1/accounts/{id}', '304').includes('ETag'), '…and so does its 304');
  t.notOk(headersOf('/v1/accounts', '200').includes('ETag'), 'a list has none');
  t.notOk(
    headersOf('/v1/admin/projections', '200').includes('X-Position'),
    'the admin view reads no read model, so no X-Position',
  );
});
