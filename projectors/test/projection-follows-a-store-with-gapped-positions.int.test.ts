import { randomUUID } from 'node:crypto';
import { ACCOUNTS_PROJECTION } from '@techflow/platform';
import t from 'tap';
import { accountsProjection } from '../src/projections/accounts.js';
import { createProjectionRunner } from '../src/runner.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { gappedStore } from './support/gapped-store.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches } from './support/runner.js';

// On EventStoreDB positions have gaps and the log's head is often a system record, no event.
// The runner took the head for an event it had not applied yet: once idle, it read the store
// and restarted its pull over and over, without pause, and a rebuild never ended.

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runnerOver(gapped: ReturnType<typeof gappedStore>) {
  return createProjectionRunner(
    {
      db: infra.db,
      eventStore: gapped.store,
      js: infra.js,
      jsm: infra.jsm,
      stream: infra.nats.stream,
      subjectPrefix: infra.nats.subjectPrefix,
    },
    accountsProjection,
    { idleMs: 20, maxBatch: 7 },
  );
}

t.test('events arriving with gaps are applied, and an idle runner stays idle', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const [a, b] = [randomUUID(), randomUUID()];
  log.open(tenant, a);
  log.open(tenant, b);
  for (let i = 1; i <= 20; i++) log.deposit(tenant, i % 2 ? a : b, BigInt(i));
  log.withdraw(tenant, b, 3n);
  const gapped = gappedStore(infra.eventStore);
  const events = (await appendLog(infra.eventStore, log)).map(gapped.show);
  const last = events.at(-1)!.position;

  const runner = runnerOver(gapped);
  await runner.start();
  await publishEvents(infra.js, infra.nats.subjectPrefix, events);
  await reaches(infra, last);
  // Settled: whatever catch-up the head started is over.
  await sleep(300);
  gapped.takeReads();
  await sleep(1000);
  const reads = gapped.takeReads();
  t.ok(reads <= 2, `${reads} store reads in a second of idleness (50 idle periods)`);
  t.equal(runner.status().status, 'running');
  await runner.stop();

  const got = await readTenant(infra.db, tenant);
  const want = expectTenant(events, tenant);
  t.same(got.accounts, want.accounts, 'every account as the store folds it');
  t.same(got.entries, want.entries, 'every entry once');
});

t.test('a rebuild ends when the store is read to a head that is no event', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const account = randomUUID();
  log.open(tenant, account);
  log.deposit(tenant, account, 5n);
  const gapped = gappedStore(infra.eventStore);
  await appendLog(infra.eventStore, log);
  const head = await gapped.store.headPosition();
  // As a version change leaves it: a model to refill from the store, up to its head.
  await infra.db
    .updateTable('projections.checkpoints')
    .set({ status: 'rebuilding' })
    .where('name', '=', ACCOUNTS_PROJECTION)
    .execute();

  const runner = runnerOver(gapped);
  await runner.start();
  await eventually('the rebuild ends', async () => runner.status().status === 'running', 10_000);
  await runner.stop();
  const checkpoint = await checkpointOf(infra);
  t.ok(checkpoint && checkpoint.position < head, 'the checkpoint stays on the last event');
  t.equal(checkpoint?.status, 'stopped', 'stopped as running, not as rebuilding');
});
