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
 *
 * A kill only proves something when it lands mid-work: each victim is killed only once it
 * has moved its checkpoint since it was last started (a process still booting holds nothing
 * that could be lost), and the load runs until each has been killed at least three times
 * with work outstanding (its checkpoint past zero and short of the store's head). The load
 * is appended straight to the event store: the relay and the projector see exactly what the
 * command service's appends give them, and no HTTP service is needed in this workspace.
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

const relayCheckpoint = async (): Promise<bigint> => {
  const r = await sql<{ position: string }>`
    select position from relay.checkpoints where name = 'main'`.execute(infra.db);
  return BigInt(r.rows[0]?.position ?? 0);
};
const projectionCheckpoint = async (): Promise<bigint> =>
  (await checkpointOf(infra))?.position ?? 0n;

const KILLS_MID_WORK = 3;

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
  const checkpointOfChild = (c: Child) =>
    c === relay ? relayCheckpoint() : projectionCheckpoint();
  /** Each child's stored checkpoint when it was last started. */
  const startedAt = new Map<Child, bigint>([
    [relay, 0n],
    [projector, 0n],
  ]);

  let stopLoad = false;
  const load = generateLoad(infra.eventStore, {
    tenants: 3,
    accountsPerTenant: 12,
    pauseMs: 100,
    stop: () => stopLoad,
  });

  const kills: { role: string; checkpoint: bigint; head: bigint }[] = [];
  const midWork = (c: Child) =>
    kills.filter((k) => k.role === c.role && k.checkpoint > 0n && k.checkpoint < k.head).length;
  const deadline = Date.now() + 150_000;
  try {
    while (
      (midWork(relay) < KILLS_MID_WORK || midWork(projector) < KILLS_MID_WORK) &&
      Date.now() < deadline
    ) {
      const victims =
        Math.random() < 0.25 ? [relay, projector] : [Math.random() < 0.5 ? relay : projector];
      for (const v of victims) {
        const from = startedAt.get(v) ?? 0n;
        await eventually(
          `the restarted ${v.role} moves its checkpoint`,
          async () => (await checkpointOfChild(v)) > from,
          60_000,
        );
      }
      await sleep(Math.random() * 300);
      const head = await infra.eventStore.headPosition();
      for (const v of victims) {
        kills.push({ role: v.role, checkpoint: await checkpointOfChild(v), head });
        await kill(v);
      }
      await sleep(Math.random() * 300);
      for (const v of victims) {
        startedAt.set(v, await checkpointOfChild(v));
        restart(v, env);
      }
    }
  } finally {
    stopLoad = true;
  }
  const appended = await load;
  t.comment(
    `${appended} events appended; kills (checkpoint/head): ${kills
      .map((k) => `${k.role} ${k.checkpoint}/${k.head}`)
      .join(', ')}`,
  );
  t.ok(midWork(relay) >= KILLS_MID_WORK, `the relay was killed mid-work ${midWork(relay)} times`);
  t.ok(
    midWork(projector) >= KILLS_MID_WORK,
    `the projector was killed mid-work ${midWork(projector)} times`,
  );

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
  await eventually('the relay reaches the head', async () => (await relayCheckpoint()) >= head);
  const inStream = (await infra.jsm.streams.info(infra.nats.stream)).state.messages;
  t.equal(
    inStream,
    events.length,
    'the stream holds each event once: republishes were deduplicated',
  );
});
