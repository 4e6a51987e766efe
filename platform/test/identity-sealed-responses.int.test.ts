import t from 'tap';
import {
  abandonSealedResponse,
  claimSealedResponse,
  completeSealedResponse,
  createIdentityDb,
  expireSealedResponses,
  migrateIdentity,
} from '../src/identity/index.js';
import { createPool } from '../src/index.js';
import { createTestDatabase } from '../src/testing/index.js';

const setUp = async (t: { teardown(fn: () => Promise<void>): void }) => {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 2 });
  t.teardown(async () => {
    await pool.end();
    await database.drop();
  });
  await migrateIdentity(pool);
  return { pool, db: createIdentityDb(pool) };
};

const request = {
  scope: 'POST /v1/auth/login',
  key: 'k-1',
  body: { email: 'a@b.c', password: 'p' },
};
const answer = { status: 200, contentType: 'application/json', payload: '{"refreshToken":"r"}' };

t.test('claim, complete, replay; another body cannot open it', async (t) => {
  const { db } = await setUp(t);
  t.match(await claimSealedResponse(db, request), { kind: 'claimed' });
  t.same(await claimSealedResponse(db, request), { kind: 'in_progress' }, 'while it runs');
  await completeSealedResponse(db, request, answer);
  t.same(await claimSealedResponse(db, request), { kind: 'replay', answer });
  t.same(await claimSealedResponse(db, { ...request, body: { ...request.body, password: 'q' } }), {
    kind: 'mismatch',
  });
  t.match(
    await claimSealedResponse(db, { ...request, scope: 'POST /v1/auth/refresh' }),
    { kind: 'claimed' },
    'keys are per scope',
  );
});

t.test('an abandoned claim can be claimed again', async (t) => {
  const { db } = await setUp(t);
  t.match(await claimSealedResponse(db, request), { kind: 'claimed' });
  await abandonSealedResponse(db, request);
  t.match(await claimSealedResponse(db, request), { kind: 'claimed' }, 'released');
  // Its process died: after abandonedAfterMs the key is free again.
  t.same(await claimSealedResponse(db, request, { abandonedAfterMs: 60_000 }), {
    kind: 'in_progress',
  });
  await new Promise((r) => setTimeout(r, 50));
  t.match(await claimSealedResponse(db, request, { abandonedAfterMs: 10 }), { kind: 'claimed' });
  await completeSealedResponse(db, request, answer);
  await abandonSealedResponse(db, request);
  t.same(await claimSealedResponse(db, request), { kind: 'replay', answer }, 'kept once done');
});

t.test('answers are forgotten after the retention, never before 24 h', async (t) => {
  const { pool, db } = await setUp(t);
  await claimSealedResponse(db, request);
  await completeSealedResponse(db, request, answer);
  await t.rejects(expireSealedResponses(db, 1), RangeError);
  t.equal(await expireSealedResponses(db, 48), 0);
  await pool.query(`update identity.sealed_responses set claimed_at = now() - interval '49 hours'`);
  t.equal(await expireSealedResponses(db, 48), 1);
  t.match(await claimSealedResponse(db, request), { kind: 'claimed' });
  for (const key of ['k-2', 'k-3']) await claimSealedResponse(db, { ...request, key });
  await pool.query(`update identity.sealed_responses set claimed_at = now() - interval '49 hours'`);
  t.equal(await expireSealedResponses(db, 48, 1), 3, 'in slices of one, all of them');
});
