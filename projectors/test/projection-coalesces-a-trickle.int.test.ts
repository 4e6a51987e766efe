import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Projection } from '../src/projection.js';
import { accountsProjection } from '../src/projections/accounts.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('messages trickling in within coalesceMs are applied in one commit', async (t) => {
  const log = new EventLog();
  const tenant = randomUUID();
  const account = randomUUID();
  log.open(tenant, account);
  for (let k = 1; k <= 6; k++) log.deposit(tenant, account, BigInt(k));
  const events = await appendLog(infra.eventStore, log);

  // Counts the batches the runner commits, each with how many events.
  const batches: number[] = [];
  const counting: Projection = {
    ...accountsProjection,
    applyInOneStatement(batch, also) {
      batches.push(batch.length);
      return accountsProjection.applyInOneStatement!(batch, also);
    },
  };
  const runner = startRunner(infra, { catchUpFromStore: false, coalesceMs: 3000 }, counting);
  await runner.start();
  await publishEvents(infra.js, infra.nats.subjectPrefix, events.slice(0, 1));
  await reaches(infra, events[0]!.position);
  // Six messages, one every 50 ms, all within the interval that began with the first batch.
  for (const event of events.slice(1)) {
    await publishEvents(infra.js, infra.nats.subjectPrefix, [event]);
    await sleep(50);
  }
  await reaches(infra, events.at(-1)!.position);
  await runner.stop();

  t.same(batches, [1, 6], 'the first message alone, then the six that trickled in, together');
  t.same(
    (await readTenant(infra.db, tenant)).accounts,
    expectTenant(events, tenant).accounts,
    'and the read model is right',
  );
});
