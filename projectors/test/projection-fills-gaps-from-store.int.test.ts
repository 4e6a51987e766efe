import { randomUUID } from 'node:crypto';
import t from 'tap';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

t.test('missing and late messages are filled from the event store', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const [a, b] = [randomUUID(), randomUUID()];
  log.open(tenant, a);
  log.open(tenant, b);
  for (let i = 1; i <= 30; i++) log.deposit(tenant, i % 2 ? a : b, BigInt(i));
  log.withdraw(tenant, a, 5n);
  log.status(tenant, b, 'AccountFrozen');
  const events = await appendLog(infra.eventStore, log);
  const head = events.at(-1)!.position;

  // Only the store has the events; JetStream gets a subset, with holes and out of order:
  // never 3..5 and 17, and 10 only after 25.
  const never = new Set([3n, 4n, 5n, 17n]);
  const late = events.find((e) => e.position === 10n)!;
  const first = events.filter((e) => !never.has(e.position) && e !== late && e.position <= 25n);
  const rest = events.filter((e) => !never.has(e.position) && e !== late && e.position > 25n);

  // No store catch-up on start or when idle: only holes seen in the messages send the
  // runner to the store, which is what this test is about.
  const runner = startRunner(infra, { catchUpFromStore: false, maxBatch: 7 });
  await runner.start();
  await publishEvents(infra.js, infra.nats.subjectPrefix, first);
  await publishEvents(infra.js, infra.nats.subjectPrefix, [late]);
  await publishEvents(infra.js, infra.nats.subjectPrefix, rest);
  await reaches(infra, head);
  await runner.stop();

  const got = await readTenant(infra.db, tenant);
  const want = expectTenant(events, tenant);
  t.same(got.accounts, want.accounts, 'every account as the store folds it');
  t.same(got.entries, want.entries, 'every entry once, the missing ones included');
  t.same(
    await checkpointOf(infra),
    { position: head, status: 'stopped', last_error: null },
    'at the head',
  );
});
