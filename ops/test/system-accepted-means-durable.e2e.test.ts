import { randomInt, randomUUID } from 'node:crypto';
import { createTestDatabase, createTestNats } from '@techflow/platform/testing';
import t from 'tap';
import { Api } from './helpers/api.js';
import { foldAccounts, headPosition } from './helpers/fold.js';
import { startSystem } from './helpers/system.js';

interface Moved {
  readonly entryId: string;
  readonly position: string;
}

interface Answer {
  readonly status: number;
  readonly body: Moved;
  /** The `Idempotent-Replayed` header the command service sets on a replayed answer. */
  readonly replayed: string | null;
}

interface Deposit {
  readonly reference: string;
  readonly key: string;
  readonly path: string;
  readonly body: { readonly amount: string; readonly reference: string };
  answer?: Answer;
}

const send = async (api: Api, d: Deposit): Promise<Answer> => {
  const r = await api.request<Moved>('POST', d.path, d.body, { 'idempotency-key': d.key });
  return { status: r.status, body: r.body, replayed: r.headers.get('idempotent-replayed') };
};

/** reference -> the entry ids stored with it, in position order. */
const references = (folded: Awaited<ReturnType<typeof foldAccounts>>) => {
  const byReference = new Map<string, string[]>();
  for (const a of folded.values()) {
    for (const [entryId, e] of a.entries) {
      const ref = e.reference ?? '';
      byReference.set(ref, [...(byReference.get(ref) ?? []), entryId]);
    }
  }
  return byReference;
};

// SIGKILL every process `npm start` started in the middle of a load of commands, start it
// again: every command answered 2xx is in the event store and the read models, nothing that
// was not sent appears, and a command sent again with its Idempotency-Key is never applied
// twice, whether its answer arrived before the kill or the kill cut it off.
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

  // Every command carries an Idempotency-Key, as a client that retries must send it.
  const deposits: Deposit[] = [];
  let stop = false;
  let accepted = 0;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const reference = `w${w}-${i}-${randomUUID().slice(0, 8)}`;
      const d: Deposit = {
        reference,
        key: randomUUID(),
        path: `/v1/accounts/${accounts[i % accounts.length]}/deposits`,
        body: { amount: String(1 + randomInt(1000)), reference },
      };
      deposits.push(d);
      try {
        d.answer = await send(api, d);
        if (d.answer.status === 201) accepted += 1;
      } catch {
        // the connection died with the system: not accepted, may or may not be stored
      }
    }
  };
  // Enough workers that the services hold a backlog: with fewer, on a busy machine every
  // request sent had often been answered (the answer unread) by the time the kill landed.
  const load = Promise.all(Array.from({ length: 64 }, (_, w) => worker(w)));
  // Kill at a random point of the load once it is well under way: drawn once, not per poll
  // (redrawn at every poll, the lowest draws win and the kill lands at about 200).
  const killAt = 200 + randomInt(300);
  const tree = system.pids();
  while (accepted < killAt) await new Promise((r) => setTimeout(r, 10));
  stop = true; // no new command from here: those in flight are what the kill cuts
  await system.killAll(tree);
  await load;
  // Sent and never answered: the kill cut the load, it did not follow it.
  const inFlight = deposits.filter((d) => d.answer === undefined);
  t.ok(inFlight.length > 0, `${inFlight.length} commands were in flight at the kill`);
  const answered = deposits.filter((d) => d.answer?.status === 201);

  system = await startSystem(env);
  const restarted = new Api(system.origin);
  restarted.token = api.token;
  const head = await headPosition(db.url);
  const stored = references(await foldAccounts(db.url, tenantId));
  const lost = answered
    .filter((d) => stored.get(d.reference)?.[0] !== d.answer?.body.entryId)
    .map((d) => d.reference);
  t.same(lost, [], 'every accepted command is in the event store');
  const sent = new Set(deposits.map((d) => d.reference));
  const unsent = [...stored.keys()].filter((ref) => !sent.has(ref));
  t.same(unsent, [], 'nothing that was not sent appears');

  // An accepted command sent again with its key answers what it answered before the kill.
  const sample = [...answered].sort(() => Math.random() - 0.5).slice(0, 20);
  const replays = await Promise.all(sample.map((d) => send(restarted, d)));
  t.same(
    replays.map((r) => [r.status, r.body, r.replayed]),
    sample.map((d) => [201, d.answer?.body, 'true']),
    `${sample.length} accepted commands sent again replay their first answers`,
  );
  t.equal(await headPosition(db.url), head, 'the replays appended nothing');

  // A command whose answer the kill cut off, sent again with its key: if the kill came after
  // its commit, that commit answers; if before, it is applied now. Once either way.
  const unsettled = deposits.filter((d) => d.answer?.status !== 201);
  const again = await Promise.all(unsettled.map((d) => send(restarted, d)));
  const outcomes = unsettled.map((d, i) => {
    const r = again[i]!;
    const before = stored.get(d.reference)?.[0];
    d.answer = r;
    if (r.status !== 201) return { ref: d.reference, wrong: `answered ${r.status}` };
    if (r.replayed === 'true') {
      return r.body.entryId === before
        ? { ref: d.reference, replayed: true }
        : { ref: d.reference, wrong: `replayed ${r.body.entryId}, stored ${before}` };
    }
    return before === undefined
      ? { ref: d.reference, replayed: false }
      : { ref: d.reference, wrong: `applied again, already stored as ${before}` };
  });
  const replayed = outcomes.filter((o) => o.replayed === true).length;
  const applied = outcomes.filter((o) => o.replayed === false).length;
  t.same(
    outcomes.filter((o) => o.wrong !== undefined),
    [],
    `${unsettled.length} unanswered commands sent again: ${replayed} replayed ` +
      `a commit made at the kill, ${applied} applied now`,
  );
  const settledHead = await headPosition(db.url);
  t.equal(BigInt(settledHead) - BigInt(head), BigInt(applied), 'one event per command applied now');
  const folded = await foldAccounts(db.url, tenantId);
  const twice = [...references(folded)].filter(([, ids]) => ids.length > 1);
  t.same(twice, [], 'no command is in the event store twice');

  // The read models, rebuilt by the restarted relay and projectors, hold the same entries.
  const projected = new Set<string>();
  for (const accountId of accounts) {
    const truth = folded.get(accountId)!;
    const read = await restarted.request<{ balance: string }>(
      'GET',
      `/v1/accounts/${accountId}`,
      undefined,
      {
        'x-min-position': settledHead,
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
          'x-min-position': settledHead,
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
  const missingInReadModel = deposits
    .filter((d) => d.answer?.status === 201)
    .map((d) => d.answer?.body.entryId)
    .filter((entryId) => entryId === undefined || !projected.has(entryId));
  t.same(missingInReadModel, [], 'every answered movement has its statement line');
});
