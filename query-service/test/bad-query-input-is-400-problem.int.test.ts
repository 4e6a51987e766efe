import { randomUUID } from 'node:crypto';
import t from 'tap';
import { encodeCursor } from '../src/read-models/cursor.js';
import { startQueryService } from './helpers/harness.js';

t.test('bad query input answers 400 validation_failed as problem+json', async (t) => {
  const { app, newTenant, bearer } = await startQueryService(t);
  const tenantId = await newTenant();
  const headers = bearer({ tenantId, userId: randomUUID(), role: 'member' });
  const id = randomUUID();
  const foreignCursor = Buffer.from('k1:10:not-a-uuid').toString('base64url');
  // Its own scope and shape, but a position past Postgres's bigint: only a forgery has one.
  const hugeCursor = encodeCursor(['accounts', tenantId], { position: 9999999999999999999n, id });
  const otherTenants = encodeCursor(['accounts', randomUUID()], { position: 10n, id });
  const entriesCursor = encodeCursor(['entries', tenantId, id], { position: 10n, id });

  const cases: Array<[string, Record<string, string>]> = [
    ['/v1/accounts', { limit: '0' }],
    ['/v1/accounts', { limit: '201' }],
    ['/v1/accounts', { limit: 'ten' }],
    ['/v1/accounts', { cursor: 'not a cursor!' }],
    ['/v1/accounts', { cursor: 'Zm9vYmFy' }],
    ['/v1/accounts', { cursor: foreignCursor }],
    ['/v1/accounts', { cursor: hugeCursor }],
    ['/v1/accounts', { cursor: otherTenants }],
    ['/v1/accounts', { cursor: entriesCursor }],
    ['/v1/accounts', { status: 'gone' }],
    ['/v1/accounts', { currency: 'XXX1' }],
    ['/v1/accounts', { sort: 'name' }],
    ['/v1/members', { limit: '5' }],
    ['/v1/admin/projections', { verbose: '1' }],
    [`/v1/accounts/${id}/entries`, { cursor: '!!' }],
    [`/v1/accounts/${id}/entries`, { status: 'open' }],
    [`/v1/accounts/${id}/balance`, { at: 'yesterday' }],
    [`/v1/accounts/${id}/balance`, { at: '2025-01-01' }],
    [`/v1/accounts/${id}/balance`, { at: new Date(Date.now() + 3_600_000).toISOString() }],
    [`/v1/accounts/${id}`, { extra: '1' }],
    ['/v1/accounts/not-a-uuid', {}],
  ];
  const owner = bearer({ tenantId, userId: randomUUID(), role: 'owner' });
  for (const [url, query] of cases) {
    const res = await app.inject({ url, query, headers: url.includes('admin') ? owner : headers });
    const label = `${url} ${JSON.stringify(query)}`;
    t.equal(res.statusCode, 400, label);
    t.match(res.headers['content-type'], /^application\/problem\+json/, label);
    t.match(
      res.json(),
      { status: 400, code: 'validation_failed', type: String, title: String, detail: String },
      label,
    );
  }

  const good = encodeCursor(['accounts', tenantId], { position: 10n, id });
  const ok = await app.inject({
    url: '/v1/accounts',
    query: { cursor: good, limit: '200' },
    headers,
  });
  t.equal(ok.statusCode, 200, 'a well-formed cursor and the largest limit are fine');
});
