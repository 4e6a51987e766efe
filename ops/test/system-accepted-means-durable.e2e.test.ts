import { randomInt, randomUUID } from 'node:crypto';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import t from 'tap';
import { Api } from './helpers/api.js';
import { foldAccounts, headPosition } from './helpers/fold.js';
import { startSystem } from './helpers/system.js';

// SIGKILL every process `npm start` started in the middle of a load of commands, start it
// again: every command answered 2xx is in the event store and the read models, and nothing
// that was not sent appears.
t.test('accepted means durable across a SIGKILL of the whole system', async (t) => {
  const db = await createTestDatabase('tf_e2e');
  const nats = createTestNats();
  t.teardown(async () => {
    await nats.cleanup();
    await db.drop();
  });
  const env = {
    DATABASE_URL: db.url,
    NATS_STREAM: nats.stream,
    NATS_SUBJECT_PREFIX: nats.subjectPrefix,
  };
  let system = await startSystem(env);
  t.teardown(() => system.stop());

  const api = new Api(system.origin);
  const { tenantId } = await api.signup();
  const accounts: string[] = [];
  for (let i = 0; i < 5; i++) accounts.push((await api.openAccount(`A${i}`)).accountId);

  const sent = new Set<string>();
  const accepted = new Map<string, string>(); // reference -> entryId
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const reference = `w${w}-${i}-${randomUUID().slice(0, 8)}`;
      sent.add(reference);
      try {
        const r = await api.request<{ entryId: string }>(
          'POST',
          `/v1/accounts/${accounts[i % accounts.length]}/deposits`,
          { amount: String(1 + randomInt(1000)), reference },
        );
        if (r.status === 201) accepted.set(reference, r.body.entryId);
      } catch {
        // the connection died with the system: not accepted, may or may not be stored
      }
    }
  };
  const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  // Kill at a random moment once the load is well under way.
  while (accepted.size < 200 + randomInt(300)) await new Promise((r) => setTimeout(r, 10));
  await system.killAll();
  stop = true;
  await load;
  t.ok(accepted.size >= 200, `${accepted.size} commands were accepted before the kill`);

  system = await startSystem(env);
  const restarted = new Api(system.origin);
  restarted.token = api.token;
  const head = await headPosition(db.url);
  const folded = await foldAccounts(db.url, tenantId);

  const stored = new Map<string, string>(); // reference -> entryId, from the event store
  for (const a of folded.values())
    for (const [entryId, e] of a.entries) stored.set(e.reference ?? '', entryId);
  const lost = [...accepted].filter(([ref, entryId]) => stored.get(ref) !== entryId);
  t.same(lost, [], 'every accepted command is in the event store');
  const unsent = [...stored.keys()].filter((ref) => !sent.has(ref));
  t.same(unsent, [], 'nothing that was not sent appears');

  // The read models, rebuilt by the restarted relay and projectors, hold the same entries.
  const projected = new Set<string>();
  for (const accountId of accounts) {
    const truth = folded.get(accountId)!;
    const read = await restarted.request<{ balance: string }>(
      'GET',
      `/v1/accounts/${accountId}`,
      undefined,
      {
        'x-min-position': head,
      },
    );
    t.equal(read.status, 200);
    t.equal(
      read.body.balance,
      truth.balance.toString(),
      `balance of ${accountId} equals the event store`,
    );
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: { entryId: string }[]; nextCursor: string | null };
      } = await restarted.request(
        'GET',
        `/v1/accounts/${accountId}/entries?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        {
          'x-min-position': head,
        },
      );
      for (const e of page.body.items) ids.add(e.entryId);
      cursor = page.body.nextCursor;
    } while (cursor);
    t.same(
      [...ids].sort(),
      [...truth.entries.keys()].sort(),
      'the statement lines are exactly the stored movements',
    );
    for (const id of ids) projected.add(id);
  }
  const missingInReadModel = [...accepted.values()].filter((entryId) => !projected.has(entryId));
  t.same(missingInReadModel, [], 'every answered movement has its statement line');
});
