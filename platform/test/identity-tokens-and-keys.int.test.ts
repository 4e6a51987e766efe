import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import {
  checkPassword,
  createCredential,
  createIdentityDb,
  EmailTaken,
  hashPassword,
  issueRefreshToken,
  jwks,
  loadSigningKeys,
  migrateIdentity,
  revokeRefreshToken,
  rotateRefreshToken,
  verifyPassword,
} from '../src/identity/index.js';
import { createTestDatabase } from '../src/testing/database.js';

const setup = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const db = await createTestDatabase('tf_identity');
  const pool = createPool(db.url, { max: 3 });
  t.teardown(async () => {
    await pool.end();
    await db.drop();
  });
  await Promise.all([migrateIdentity(pool), migrateIdentity(pool)]);
  return { pool, identity: createIdentityDb(pool) };
};

t.test('migrations run twice (and concurrently) without harm', async (t) => {
  const { pool } = await setup(t);
  await migrateIdentity(pool);
  const tables = await pool.query(
    "select table_name from information_schema.tables where table_schema = 'identity' order by 1",
  );
  t.same(
    tables.rows.map((r: { table_name: string }) => r.table_name),
    [
      'credentials',
      'kysely_migration',
      'kysely_migration_lock',
      'refresh_tokens',
      'sealed_responses',
      'signing_keys',
    ],
  );
});

t.test('signing keys are created once and published as a JWKS', async (t) => {
  const { pool } = await setup(t);
  const [a, b] = await Promise.all([loadSigningKeys(pool), loadSigningKeys(pool)]);
  t.equal(a.current.kid, b.current.kid, 'concurrent starts agree on one key');
  const again = await loadSigningKeys(pool);
  t.equal(again.current.kid, a.current.kid, 'a restart keeps it');
  t.match(a.current.privateKeyPem, /BEGIN PRIVATE KEY/);
  const set = jwks(a);
  t.same(set.keys.length, 1);
  t.match(set.keys[0], {
    kty: 'OKP',
    crv: 'Ed25519',
    kid: a.current.kid,
    alg: 'EdDSA',
    use: 'sig',
  });
  t.notOk(JSON.stringify(set).includes('PRIVATE'), 'nothing private');
});

t.test('passwords: scrypt, salted, checked in constant time', async (t) => {
  const h1 = await hashPassword('s3cret pass');
  const h2 = await hashPassword('s3cret pass');
  t.not(h1, h2, 'salted');
  t.match(h1, /^scrypt\$16384\$8\$1\$/);
  t.ok(await verifyPassword('s3cret pass', h1));
  t.notOk(await verifyPassword('s3cret pasS', h1));
  t.notOk(await verifyPassword('x', 'garbage'));
});

t.test('credentials: one email per tenant, any casing; login by email', async (t) => {
  const { identity } = await setup(t);
  const tenantId = randomUUID();
  const userId = randomUUID();
  await createCredential(identity, {
    tenantId,
    userId,
    email: 'Ada@Example.com',
    name: 'Ada',
    password: 'analytical engine',
  });
  await t.rejects(
    createCredential(identity, {
      tenantId,
      userId: randomUUID(),
      email: 'ada@example.COM',
      name: 'Ada 2',
      password: 'another one',
    }),
    EmailTaken,
  );
  const ok = await checkPassword(identity, {
    email: 'ADA@example.com',
    password: 'analytical engine',
  });
  t.match(ok, { kind: 'ok', credential: { tenantId, userId, name: 'Ada' } });
  t.same(await checkPassword(identity, { email: 'ada@example.com', password: 'wrong' }), {
    kind: 'invalid',
  });
  t.same(await checkPassword(identity, { email: 'nobody@example.com', password: 'x' }), {
    kind: 'invalid',
  });
  t.same(
    await checkPassword(identity, {
      email: 'ada@example.com',
      password: 'analytical engine',
      tenantId: randomUUID(),
    }),
    { kind: 'invalid' },
  );
});

t.test('refresh tokens rotate once; a reused one revokes its family', async (t) => {
  const { identity, pool } = await setup(t);
  const subject = { tenantId: randomUUID(), userId: randomUUID(), role: 'owner' };
  const first = await issueRefreshToken(identity, subject, { ttlSeconds: 60 });
  const stored = await pool.query('select token_hash from identity.refresh_tokens');
  t.not(stored.rows[0].token_hash, first.token, 'only the hash is stored');

  const rotated = await rotateRefreshToken(identity, first.token, { ttlSeconds: 60 });
  if (rotated.kind !== 'rotated') throw new Error(`expected rotated, got ${rotated.kind}`);
  t.equal(rotated.issued.familyId, first.familyId, 'same family');
  t.match(rotated.issued, subject);

  const reused = await rotateRefreshToken(identity, first.token, { ttlSeconds: 60 });
  t.same(reused, { kind: 'reused', familyId: first.familyId });
  t.same(
    await rotateRefreshToken(identity, rotated.issued.token, { ttlSeconds: 60 }),
    {
      kind: 'invalid',
    },
    'the newest token of the family died with it',
  );

  const other = await issueRefreshToken(identity, subject, { ttlSeconds: 60 });
  t.equal((await rotateRefreshToken(identity, other.token, { ttlSeconds: 60 })).kind, 'rotated');
});

t.test('concurrent rotations of one token: one wins, the family dies', async (t) => {
  const { identity } = await setup(t);
  const subject = { tenantId: randomUUID(), userId: randomUUID(), role: 'member' };
  const token = await issueRefreshToken(identity, subject, { ttlSeconds: 60 });
  const results = await Promise.all([
    rotateRefreshToken(identity, token.token, { ttlSeconds: 60 }),
    rotateRefreshToken(identity, token.token, { ttlSeconds: 60 }),
  ]);
  t.same(results.map((r) => r.kind).sort(), ['reused', 'rotated']);
});

t.test('expiry and logout', async (t) => {
  const { identity } = await setup(t);
  const subject = { tenantId: randomUUID(), userId: randomUUID(), role: 'owner' };
  const issuedAt = new Date('2030-01-01T00:00:00Z');
  const token = await issueRefreshToken(identity, subject, { ttlSeconds: 60, now: issuedAt });
  const later = new Date(issuedAt.getTime() + 61_000);
  t.same(await rotateRefreshToken(identity, token.token, { ttlSeconds: 60, now: later }), {
    kind: 'invalid',
  });
  const live = await issueRefreshToken(identity, subject, { ttlSeconds: 60 });
  await revokeRefreshToken(identity, live.token);
  t.same(await rotateRefreshToken(identity, live.token, { ttlSeconds: 60 }), { kind: 'invalid' });
});
