import { tenantSchema } from '@techflow/platform';
import { sql } from 'kysely';
import t from 'tap';
import { readAllAfter } from './support/append.js';
import { type Child, kill, restart, spawnProjectors } from './support/children.js';
import { createInfra, eventually, type Infra } from './support/infra.js';
import { generateLoad } from './support/load.js';
import { expectTenant, readTenant } from './support/read-model.js';
import { checkpointOf, duplicateEntries } from './support/runner.js';

/*
 * The relay and the projector run as real processes and are SIGKILLed at random moments
 * while load is appended, then restarted. At the end the read models must be exactly the fold
 * of the event store: nothing lost, nothing applied twice.
 */

let infra: Infra;
const children: Child[] = [];
t.before(async () => {
  infra = await createInfra();
});
t.teardown(async () => {
  await Promise.all(children.map(kill));
  await infra.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('killing the relay and the projector at random loses and duplicates nothing', async (t) => {
  const env = {
    DATABASE_URL: infra.database.url,
    NATS_URL: infra.nats.url,
    NATS_STREAM: infra.nats.stream,
    NATS_SUBJECT_PREFIX: infra.nats.subjectPrefix,
    LOG_LEVEL: 'warn',
    PG_POOL_SIZE: '4',
  };
  const relay = spawnProjectors('relay', env);
  const projector = spawnProjectors('projections', env);
  children.push(relay, projector);

  let loading = true;
  const load = generateLoad(infra.eventStore, {
    tenants: 3,
    accountsPerTenant: 12,
    movementsPerAccount: 80,
  }).finally(() => {
    loading = false;
  });

  let kills = 0;
  while (loading || kills < 4) {
    await sleep(300 + Math.random() * 1500);
    const victims =
      Math.random() < 0.25 ? [relay, projector] : [Math.random() < 0.5 ? relay : projector];
    for (const v of victims) {
      await kill(v);
      kills++;
    }
    await sleep(Math.random() * 500);
    for (const v of victims) restart(v, env);
  }
  const appended = await load;
  t.ok(kills >= 4, `killed ${kills} times while ${appended} events were appended`);

  const head = await infra.eventStore.headPosition();
  try {
    await eventually(
      'the projection reaches the head',
      async () => ((await checkpointOf(infra))?.position ?? 0n) >= head,
      180_000,
    );
  } catch (e) {
    t.comment(`relay: ${relay.output.slice(-20).join('\n')}`);
    t.comment(`projector: ${projector.output.slice(-20).join('\n')}`);
    throw e;
  }

  const events = await readAllAfter(infra.eventStore, 0n);
  t.equal(BigInt(events.length), head, 'the store holds every event');
  const tenants = [...new Set(events.map((e) => e.metadata.tenantId))];
  for (const tenant of tenants) {
    const got = await readTenant(infra.db, tenant);
    const want = expectTenant(events, tenant);
    t.same(got.accounts, want.accounts, `tenant ${tenant}: every account's balance and status`);
    t.same(got.entries, want.entries, `tenant ${tenant}: every entry, once, in order`);
    t.equal(await duplicateEntries(infra, tenantSchema(tenant)), 0, 'no duplicate entries');
    const sums = await sql<{ total: string }>`
      select sum(balance)::text as total from ${sql.id(tenantSchema(tenant), 'accounts')}
      group by currency`.execute(infra.db);
    t.ok(
      sums.rows.every((r) => r.total === '0'),
      `tenant ${tenant}: per currency all balances sum to zero`,
    );
  }
  await eventually('the relay reaches the head', async () => {
    const r = await sql<{ position: string }>`
      select position from relay.checkpoints where name = 'main'`.execute(infra.db);
    return BigInt(r.rows[0]?.position ?? 0) >= head;
  });
  const inStream = (await infra.jsm.streams.info(infra.nats.stream)).state.messages;
  t.equal(
    inStream,
    events.length,
    'the stream holds each event once: republishes were deduplicated',
  );
});
