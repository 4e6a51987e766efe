import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { loadSigningKeys } from '@techflow/platform/identity';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { startCommandService } from './helpers/command-service.js';

t.test('bad input is a 4xx problem and writes nothing', async (t) => {
  const { app, eventStore, signup, pool } = await startCommandService(t);
  const { privateKeyPem } = (await loadSigningKeys(pool)).current;
  /** The token's claims changed by `change`, signed with the service's own key. */
  const resigned = (token: string, change: (claims: Record<string, unknown>) => object): string => {
    const [header, payload] = token.split('.') as [string, string];
    const claims = change(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign(null, Buffer.from(body), createPrivateKey(privateKeyPem));
    return `${body}.${signature.toString('base64url')}`;
  };
  const owner = await signup();
  const other = await signup();
  const accountId = randomUUID();
  const othersAccount = randomUUID();
  for (const [who, id] of [
    [owner, accountId],
    [other, othersAccount],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: who.auth,
      payload: { accountId: id, name: 'Main', currency: 'EUR' },
    });
    t.equal(res.statusCode, 201);
  }
  const json = { ...owner.auth, 'content-type': 'application/json' };
  const deposit = `/v1/accounts/${accountId}/deposits`;
  const post = (url: string, payload: unknown, headers: Record<string, string> = owner.auth) => ({
    method: 'POST' as const,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  });

  const cases: [string, InjectOptions, number, string][] = [
    [
      'malformed JSON',
      { method: 'POST', url: deposit, headers: json, payload: '{"amount": "1"' },
      400,
      'malformed_json',
    ],
    [
      'empty JSON body where one is needed',
      { method: 'POST', url: deposit, headers: json, payload: '' },
      400,
      'validation_failed',
    ],
    [
      'a text/plain body',
      {
        method: 'POST',
        url: deposit,
        headers: { ...owner.auth, 'content-type': 'text/plain' },
        payload: 'amount=1',
      },
      415,
      'unsupported_media_type',
    ],
    [
      'a token without an expiry',
      post(
        deposit,
        { amount: '1' },
        { authorization: `Bearer ${resigned(owner.accessToken, ({ exp: _, ...c }) => c)}` },
      ),
      401,
      'unauthenticated',
    ],
    ...(['not-a-uuid', owner.tenantId.toUpperCase(), 42] as const).map(
      (tid): [string, InjectOptions, number, string] => [
        `a validly signed token whose tenant is ${JSON.stringify(tid)}`,
        post(
          deposit,
          { amount: '1' },
          { authorization: `Bearer ${resigned(owner.accessToken, (c) => ({ ...c, tid }))}` },
        ),
        401,
        'unauthenticated',
      ],
    ),
    ['amount as a number', post(deposit, { amount: 100 }), 400, 'validation_failed'],
    ['unknown field', post(deposit, { amount: '100', memo: 'x' }), 400, 'validation_failed'],
    ['negative amount', post(deposit, { amount: '-100' }), 400, 'validation_failed'],
    ['zero amount', post(deposit, { amount: '0' }), 400, 'validation_failed'],
    ['leading zero', post(deposit, { amount: '0100' }), 400, 'validation_failed'],
    ['20-digit amount', post(deposit, { amount: '1'.repeat(20) }), 400, 'validation_failed'],
    ['decimal amount', post(deposit, { amount: '10.5' }), 400, 'validation_failed'],
    ['missing amount', post(deposit, {}), 400, 'validation_failed'],
    ['body is an array', post(deposit, [{ amount: '1' }]), 400, 'validation_failed'],
    [
      'unknown currency',
      post('/v1/accounts', { name: 'X', currency: 'XYZ' }),
      400,
      'validation_failed',
    ],
    [
      'lowercase currency',
      post('/v1/accounts', { name: 'X', currency: 'eur' }),
      400,
      'validation_failed',
    ],
    ['empty name', post('/v1/accounts', { name: '', currency: 'EUR' }), 400, 'validation_failed'],
    ...(
      [
        ['a blank name', '   '],
        ['a line break in a name', 'Main\nAccount'],
        ['a tab in a name', 'Main\tAccount'],
        ['a right-to-left override in a name', 'gro\u202Elive'],
        ['an isolate in a name', 'a\u2066b'],
        ['a zero-width space as a name', '\u200B'],
      ] as const
    ).map(([label, name]): [string, InjectOptions, number, string] => [
      label,
      post('/v1/accounts', { name, currency: 'EUR' }),
      400,
      'validation_failed',
    ]),
    [
      'a control character in a reference',
      post(deposit, { amount: '1', reference: 'ref\u0007' }),
      400,
      'validation_failed',
    ],
    [
      'account id not a UUID',
      post('/v1/accounts', { accountId: 'abc', name: 'X', currency: 'EUR' }),
      400,
      'validation_failed',
    ],
    [
      'braced UUID',
      post('/v1/accounts', { accountId: `{${randomUUID()}}`, name: 'X', currency: 'EUR' }),
      400,
      'validation_failed',
    ],
    [
      'path id not a UUID',
      post('/v1/accounts/nope/deposits', { amount: '1' }),
      400,
      'validation_failed',
    ],
    // JSON allows both, Postgres stores neither: the append would fail (a 500, and every
    // command in its group-commit batch retried alone).
    ...(
      [
        ['a NUL in a name', '{"name":"a\\u0000b","currency":"EUR"}'],
        ['an unpaired high surrogate in a name', '{"name":"a\\uD800b","currency":"EUR"}'],
        ['an unpaired low surrogate in a reference', '{"amount":"1","reference":"\\udc00"}'],
        ['a NUL in a key', '{"amount":"1","\\u0000":"x"}'],
      ] as const
    ).map(([name, body]): [string, InjectOptions, number, string] => [
      name,
      {
        method: 'POST',
        url: name.includes('reference') || name.includes('key') ? deposit : '/v1/accounts',
        headers: json,
        payload: body,
      },
      400,
      'validation_failed',
    ]),
    [
      'bytes that are not UTF-8 in a reference (never stored as U+FFFD)',
      {
        method: 'POST',
        url: deposit,
        headers: json,
        payload: Buffer.concat([
          Buffer.from('{"amount":"1","reference":"ab'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}'),
        ]),
      },
      400,
      'malformed_json',
    ],
    [
      'a gzip-compressed body (nothing here decompresses)',
      {
        method: 'POST',
        url: deposit,
        headers: { ...json, 'content-encoding': 'gzip' },
        payload: gzipSync('{"amount":"1"}'),
      },
      415,
      'unsupported_media_type',
    ],
    [
      'huge body',
      post(deposit, { amount: '1', reference: 'x'.repeat(64 * 1024) }),
      413,
      'payload_too_large',
    ],
    [
      'another tenant’s account',
      post(`/v1/accounts/${othersAccount}/deposits`, { amount: '1' }),
      404,
      'not_found',
    ],
    [
      'an account that does not exist',
      post(`/v1/accounts/${randomUUID()}/withdrawals`, { amount: '1' }),
      404,
      'not_found',
    ],
    [
      'another tenant’s account, freeze',
      post(`/v1/accounts/${othersAccount}/freeze`, {}),
      404,
      'not_found',
    ],
    ['missing token', post(deposit, { amount: '1' }, {}), 401, 'unauthenticated'],
    [
      'malformed token',
      post(deposit, { amount: '1' }, { authorization: 'Bearer not.a.jwt' }),
      401,
      'unauthenticated',
    ],
    [
      'not a bearer',
      post(deposit, { amount: '1' }, { authorization: 'Basic dTpw' }),
      401,
      'unauthenticated',
    ],
    [
      'token signed by someone else',
      post(deposit, { amount: '1' }, { authorization: `Bearer ${forged(owner.accessToken)}` }),
      401,
      'unauthenticated',
    ],
    ['unknown route', post('/v1/nothing-here', {}), 404, 'not_found'],
    ['unknown query parameter', post(`${deposit}?x=1`, { amount: '1' }), 400, 'validation_failed'],
    [
      'unknown query parameter on login',
      post('/v1/auth/login?foo=bar', { email: 'a@b.test', password: 'x' }, {}),
      400,
      'validation_failed',
    ],
    [
      'bad Idempotency-Key',
      { ...post(deposit, { amount: '1' }), headers: { ...json, 'idempotency-key': 'a b' } },
      400,
      'validation_failed',
    ],
  ];

  const head = await eventStore.headPosition();
  for (const [name, request, status, code] of cases) {
    const res = await app.inject(request);
    t.equal(res.statusCode, status, `${name}: ${res.body.slice(0, 200)}`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
    t.equal(res.json().code, code, `${name}: code`);
    t.equal(await eventStore.headPosition(), head, `${name}: nothing appended`);
  }
  // What a person reads: the amount's and the currency's rules, not a regex or a constant.
  const amount = await app.inject(post(deposit, { amount: '10.5' }));
  t.match(amount.json().detail, /^body\/amount is not valid: expected amount in minor units/);
  const currency = await app.inject(post('/v1/accounts', { name: 'X', currency: 'XYZ' }));
  t.equal(
    currency.json().detail,
    'body/currency is not valid: expected ISO 4217 currency code, e.g. "EUR"',
  );
  const nul = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: json,
    payload: '{"name":"a\\u0000b","currency":"EUR"}',
  });
  t.match(nul.json().detail, /^body\/name holds a NUL/, 'the string is named');
  const paired = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: json,
    payload: '{"name":"ok \\ud83d\\ude00","currency":"EUR"}',
  });
  t.equal(paired.statusCode, 201, 'an escaped surrogate pair is an ordinary character');
  const empty = await app.inject({ method: 'POST', url: deposit, headers: json, payload: '' });
  t.equal(
    empty.json().detail,
    'body is empty or null: this route expects a JSON object',
    'an empty body is named',
  );
  const othersEvents = await eventStore.readAll(0n, { filter: { tenantId: other.tenantId } });
  t.same(
    othersEvents.events.map((e) => e.type),
    ['OrganizationCreated', 'MemberAdded', 'AccountOpened'],
    'the other tenant’s streams are untouched',
  );
});

t.test('an auditor may not move money', async (t) => {
  const { app, eventStore, signup } = await startCommandService(t);
  const owner = await signup();
  // Members with other roles arrive with POST /v1/members; the signer stands in for it here.
  const token = app.signAccessToken({
    tenantId: owner.tenantId,
    userId: owner.userId,
    role: 'auditor',
  });
  const head = await eventStore.headPosition();
  const res = await app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: { authorization: `Bearer ${token}` },
    payload: { name: 'Nope', currency: 'EUR' },
  });
  t.equal(res.statusCode, 403);
  t.equal(res.json().code, 'forbidden');
  t.equal(await eventStore.headPosition(), head);
});

/** The same claims with the signature of a key nobody trusts. */
function forged(token: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
}
