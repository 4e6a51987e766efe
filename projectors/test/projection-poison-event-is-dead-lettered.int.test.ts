import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import t from 'tap';
import { createProjectorMetrics } from '../src/metrics.js';
import { accountsProjection } from '../src/projections/accounts.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { publishEvents } from './support/publish.js';
import { readTenant } from './support/read-model.js';
import { checkpointOf, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

t.test(
  'an event that cannot be applied fails the projection when it may hold no tenant back',
  async (t) => {
    const log = new EventLog();
    const tenant = randomUUID();
    const a = randomUUID();
    log.open(tenant, a);
    log.deposit(tenant, a, 10n);
    // A deposit to an account that was never opened: the projection can never apply it.
    log.deposit(tenant, randomUUID(), 5n);
    log.deposit(tenant, a, 20n);
    const events = await appendLog(infra.eventStore, log);
    const poison = events[2]!;

    const registry = new Registry();
    const runner = startRunner(
      infra,
      { catchUpFromStore: false, maxHeldTenants: 0 },
      accountsProjection,
      createProjectorMetrics(registry),
    );
    await runner.start();
    const deadLettersCounted = async () =>
      /projection_dead_letters_total\{projection="accounts"\} (\d+)/.exec(
        await registry.metrics(),
      )?.[1];
    t.equal(await deadLettersCounted(), '0', 'the counter is there at 0 before anything fails');
    await publishEvents(infra.js, infra.nats.subjectPrefix, events);
    await runner.done;
    t.equal(await deadLettersCounted(), '1');

    t.equal(runner.status().status, 'failed', 'the runner stopped, failed');
    t.match(runner.status().lastError, /AccountNotProjected/);
    const cp = await checkpointOf(infra);
    t.equal(cp?.status, 'failed', 'the checkpoint row says failed');
    t.equal(cp?.position, poison.position - 1n, 'everything before the poison event is applied');
    t.match(cp?.last_error, poison.eventId, 'lastError names the event');
    const letters = await infra.db.selectFrom('projections.dead_letters').selectAll().execute();
    t.equal(letters.length, 1, 'one dead letter');
    t.match(letters[0], {
      projection: 'accounts',
      event_id: poison.eventId,
      position: String(poison.position),
      type: 'FundsDeposited',
      error: /AccountNotProjected/,
    });
    const got = await readTenant(infra.db, tenant);
    t.equal(got.entries.length, 1, 'the deposit before it is applied, nothing after');

    // A restart tries the event again (the operator's "fixed it"); still poison, still parked.
    // It reads the store on start: the messages its predecessor held come back only after
    // their ack wait.
    const again = startRunner(infra, { maxHeldTenants: 0 });
    await again.start();
    await eventually(
      'the restarted runner fails again',
      async () => again.status().status === 'failed',
    );
    await again.done;
    const retried = await infra.db
      .selectFrom('projections.dead_letters')
      .select('attempts')
      .execute();
    t.same(retried, [{ attempts: 2 }], 'the same dead letter, attempts counted');
  },
);
