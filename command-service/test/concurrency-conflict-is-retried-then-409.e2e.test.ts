import { randomUUID } from 'node:crypto';
import { ACCOUNT_CATEGORY, Account, streamName } from '@techflow/domain';
import type { EventStore, StreamAppend } from '@techflow/platform';
import type { App } from '@techflow/platform/http';
import t from 'tap';
import { type SignedUp, startCommandService } from './helpers/command-service.js';

/** The sum of every sample of `name` (all label sets) in a Prometheus text exposition. */
const total = (text: string, name: string): number =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

const deposit = (app: App, owner: SignedUp, accountId: string, amount: number) =>
  app.inject({
    method: 'POST',
    url: `/v1/accounts/${accountId}/deposits`,
    headers: owner.auth,
    payload: { amount: String(amount) },
  });

// Inside one process the per-stream queue serializes commands, so only another instance on
// the same store makes an append's expected revision stale: the case the retry exists for.
t.test('two instances depositing on one account: every deposit lands once', async (t) => {
  const h = await startCommandService(t);
  const owner = await h.signup();
  const [one, two] = [h.app, await h.restart()];
  const accountId = randomUUID();
  const opened = await one.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Contended', currency: 'EUR' },
  });
  t.equal(opened.statusCode, 201, opened.body);
  t.equal(
    (await deposit(two, owner, accountId, 1000)).statusCode,
    201,
    'one now caches a stale revision',
  );

  // Each round, whichever instance did not write last decides on a stale cached revision, so
  // every round conflicts at least once. Two deposits per instance per round bound what one
  // command can lose to (the other's two commits, plus its stale cache): 3 conflicts, within
  // the 5 retries, so the test does not depend on who wins the races.
  const rounds = 10;
  let amount = 0;
  let expected = 1000n;
  for (let round = 0; round < rounds; round++) {
    const answers = await Promise.all(
      [one, two, one, two].map((app) => {
        amount += 1;
        expected += BigInt(amount);
        return deposit(app, owner, accountId, amount);
      }),
    );
    t.same(
      answers.map((r) => [r.statusCode, r.statusCode === 201 ? '' : r.body]),
      answers.map(() => [201, '']),
      `round ${round}: every deposit accepted`,
    );
  }

  const stored = await h.eventStore.aggregateStream(
    streamName(ACCOUNT_CATEGORY, owner.tenantId, accountId),
    Account,
  );
  t.equal(stored.state.status === 'open' ? stored.state.balance : null, expected);
  t.equal(stored.revision, BigInt(1 + rounds * 4), 'the opening and one event per deposit');

  let conflicts = 0;
  let exhausted = 0;
  for (const app of [one, two]) {
    const text = (await app.inject({ url: '/metrics' })).body;
    conflicts += total(text, 'techflow_command_conflicts_total');
    exhausted += total(text, 'techflow_command_retries_exhausted_total');
  }
  t.ok(conflicts >= rounds, `the appends did conflict and were retried (${conflicts})`);
  t.equal(exhausted, 0);
});

t.test('a stream that always conflicts: 409 after maxRetries + 1 attempts', async (t) => {
  const maxRetries = 5; // createCommandHandler's default, which buildApp keeps
  const runaway = 50; // an unbounded retry loop is stopped here rather than hanging the test
  const conflicting = new Set<string>();
  let attempts = 0;
  // Every append to a conflicting stream goes to the real store with a revision it can never
  // have: Postgres refuses it with the port's own ExpectedRevisionConflict and writes nothing.
  const alwaysConflicting = (store: EventStore): EventStore => ({
    ...store,
    appendToStreams: (appends, options) => {
      if (!appends.some((a) => conflicting.has(a.streamId))) {
        return store.appendToStreams(appends, options);
      }
      attempts += 1;
      if (attempts > runaway) throw new Error('retried without bound');
      const stale = appends.map(
        (a): StreamAppend => ({
          ...a,
          expectedRevision:
            typeof a.expectedRevision === 'bigint' ? a.expectedRevision + 1_000_000n : 1_000_000n,
        }),
      );
      return store.appendToStreams(stale, options);
    },
  });
  const h = await startCommandService(t, { wrapEventStore: alwaysConflicting });
  const owner = await h.signup();
  const accountId = randomUUID();
  const opened = await h.app.inject({
    method: 'POST',
    url: '/v1/accounts',
    headers: owner.auth,
    payload: { accountId, name: 'Hot', currency: 'EUR' },
  });
  t.equal(opened.statusCode, 201, opened.body);
  const stream = streamName(ACCOUNT_CATEGORY, owner.tenantId, accountId);
  conflicting.add(stream);
  const head = await h.eventStore.headPosition();

  const res = await deposit(h.app, owner, accountId, 10);
  t.equal(res.statusCode, 409, res.body);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().code, 'concurrency_conflict');
  t.equal(attempts, maxRetries + 1, 'the first attempt and maxRetries retries, no more');
  t.equal(await h.eventStore.headPosition(), head, 'nothing appended anywhere');
  t.equal((await h.eventStore.readStream(stream)).length, 1, 'the account holds its opening only');
  const text = (await h.app.inject({ url: '/metrics' })).body;
  t.equal(total(text, 'techflow_command_conflicts_total'), maxRetries + 1);
  t.equal(total(text, 'techflow_command_retries_exhausted_total'), 1);
});
