import { randomUUID } from 'node:crypto';
import { tenantSchema } from '@techflow/platform';
import t from 'tap';
import { durableName } from '../src/runner/consumer.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, duplicateEntries, reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

t.test('the same batch delivered twice leaves the same rows', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const accounts = [randomUUID(), randomUUID(), randomUUID()];
  for (const a of accounts) log.open(tenant, a);
  for (let i = 0; i < 60; i++) log.deposit(tenant, accounts[i % 3]!, BigInt(i + 1));
  log.withdraw(tenant, accounts[0]!, 7n);
  const events = await appendLog(infra.eventStore, log);
  const head = events.at(-1)!.position;

  const runner = startRunner(infra, { catchUpFromStore: false, maxBatch: 25 });
  await runner.start();
  await publishEvents(infra.js, infra.nats.subjectPrefix, events);
  await reaches(infra, head);
  const before = await readTenant(infra.db, tenant);

  // The same events again as new messages (another msg id, so JetStream keeps them): what a
  // relay restarted after its duplicate window would send.
  await publishEvents(infra.js, infra.nats.subjectPrefix, events, () => randomUUID());
  await runner.stop();

  // And the whole stream again from the start, as after losing the consumer's acks.
  await infra.jsm.consumers.delete(infra.nats.stream, durableName('accounts'));
  const again = startRunner(infra, { catchUpFromStore: false, maxBatch: 25 });
  await again.start();
  const info = async () => infra.jsm.consumers.info(infra.nats.stream, durableName('accounts'));
  const total = (await infra.jsm.streams.info(infra.nats.stream)).state.messages;
  await eventually('every message redelivered and acked', async () => {
    const i = await info();
    return i.ack_floor.stream_seq >= total;
  });
  await again.stop();

  const after = await readTenant(infra.db, tenant);
  t.same(after, before, 'rows unchanged by the redeliveries');
  t.same(after.accounts, expectTenant(events, tenant).accounts, 'and right');
  t.equal(await duplicateEntries(infra, tenantSchema(tenant)), 0, 'no entry twice');
  t.equal((await checkpointOf(infra))?.position, head, 'checkpoint unchanged');
});
