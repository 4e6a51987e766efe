import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Projection } from '../src/projection.js';
import { accountsProjection } from '../src/projections/accounts.js';
import { appendLog } from './support/append.js';
import { EventLog } from './support/events.js';
import { createInfra, type Infra } from './support/infra.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, reaches, startRunner } from './support/runner.js';

let infra: Infra;
t.before(async () => {
  infra = await createInfra();
});
t.teardown(() => infra.close());

// One statement takes up to 200 tenants (accounts/write.ts); past that a batch is several
// statements in one transaction, the runner's other path.
t.test('a batch over more tenants than one statement takes is applied whole', async (t) => {
  const log = new EventLog();
  const tenants = Array.from({ length: 205 }, () => randomUUID());
  for (const tenant of tenants) {
    const account = randomUUID();
    log.open(tenant, account);
    log.deposit(tenant, account, 7n);
  }
  const events = await appendLog(infra.eventStore, log);
  const head = events.at(-1)!.position;

  const oneStatement: (number | null)[] = [];
  const watching: Projection = {
    ...accountsProjection,
    applyInOneStatement(batch, also) {
      const single = accountsProjection.applyInOneStatement!(batch, also);
      oneStatement.push(single ? batch.length : null);
      return single;
    },
  };
  // The store catch-up on start reads the whole backlog as one batch.
  const runner = startRunner(infra, {}, watching);
  await runner.start();
  await reaches(infra, head);
  await runner.stop();

  t.same(oneStatement, [null], 'one batch, too many tenants for one statement');
  t.equal((await checkpointOf(infra))?.position, head, 'checkpoint at the head');
  for (const tenant of [tenants[0]!, tenants[199]!, tenants[200]!, tenants[204]!]) {
    t.same(
      (await readTenant(infra.db, tenant)).accounts,
      expectTenant(events, tenant).accounts,
      `tenant ${tenants.indexOf(tenant)} is right`,
    );
  }
});
