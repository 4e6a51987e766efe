/**
 * Projection catch-up over a backlog, beside the projection ceiling (BENCH.md): 100-row
 * multi-value inserts into a plain table, one transaction per batch, on the same Postgres.
 *
 *   node --import tsx projectors/bench/catch-up.ts [events=200000]
 *
 * Builds its own database and stream and drops them after. Prints events/s for the relay
 * (store → JetStream), for the runner reading JetStream, and for the runner reading the store.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, StreamAppend } from '@techflow/platform';
import { createKysely } from '@techflow/platform';
import { sql } from 'kysely';
import { accountsProjection } from '../src/projections/accounts.js';
import type { RelaySchema } from '../src/relay/checkpoint.js';
import { createRelay } from '../src/relay/relay.js';
import { createInfra, eventually } from '../test/support/infra.js';
import { checkpointOf, startRunner } from '../test/support/runner.js';

const total = Number(process.argv[2] ?? 200_000);
const tenants = 20;
const accountsPerTenant = 100;

const infra = await createInfra();
try {
  // Backlog: accounts opened, then rounds of one movement per account.
  const accounts = Array.from({ length: tenants * accountsPerTenant }, (_, i) => ({
    tenantId: `00000000-0000-4000-8000-${String(Math.floor(i / accountsPerTenant)).padStart(12, '0')}`,
    accountId: randomUUID(),
    balance: 0n,
    opened: false,
  }));
  const meta = (tenantId: string) => ({
    tenantId,
    actor: 'user:bench',
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
  });
  let written = 0;
  const started = performance.now();
  while (written < total) {
    const appends: StreamAppend[] = [];
    for (const a of accounts) {
      if (written >= total) break;
      const events: NewEvent[] = [];
      if (!a.opened) {
        a.opened = true;
        events.push({
          eventId: randomUUID(),
          type: 'AccountOpened',
          version: 1,
          data: { accountId: a.accountId, name: 'Bench', currency: 'EUR', allowOverdraft: false },
          metadata: meta(a.tenantId),
        });
      } else {
        const amount = BigInt(1 + Math.floor(Math.random() * 1000));
        const withdraw = a.balance >= amount && Math.random() < 0.3;
        a.balance += withdraw ? -amount : amount;
        events.push({
          eventId: randomUUID(),
          type: withdraw ? 'FundsWithdrawn' : 'FundsDeposited',
          version: 1,
          data: {
            accountId: a.accountId,
            entryId: randomUUID(),
            amount: amount.toString(),
            currency: 'EUR',
            balanceAfter: a.balance.toString(),
          },
          metadata: meta(a.tenantId),
        });
      }
      written += events.length;
      appends.push({
        streamId: `account-${a.tenantId}:${a.accountId}`,
        events,
        expectedRevision: 'any',
      });
      if (appends.length === 500) {
        await infra.eventStore.appendToStreams(appends.splice(0));
      }
    }
    if (appends.length > 0) await infra.eventStore.appendToStreams(appends.splice(0));
  }
  const head = await infra.eventStore.headPosition();
  const appendS = (performance.now() - started) / 1000;
  console.log(`backlog: ${head} events appended in ${appendS.toFixed(1)} s`);

  // Ceiling: 100-row multi-value inserts, one transaction per batch.
  await sql`create table bench_ceiling (id bigint primary key, account_id uuid, amount numeric,
    balance_after numeric, at timestamptz, reference text)`.execute(infra.db);
  const ceilingRows = 100_000;
  const c0 = performance.now();
  const client = await infra.pool.connect();
  try {
    for (let i = 0; i < ceilingRows; i += 100) {
      const params: unknown[] = [];
      const values: string[] = [];
      for (let k = 0; k < 100; k++) {
        const n = params.length;
        values.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`);
        params.push(i + k, randomUUID(), '123', '4567', new Date().toISOString(), 'ref');
      }
      await client.query('begin');
      await client.query(
        `insert into bench_ceiling (id, account_id, amount, balance_after, at, reference) values ${values.join(',')}`,
        params,
      );
      await client.query('commit');
    }
  } finally {
    client.release();
  }
  const ceiling = ceilingRows / ((performance.now() - c0) / 1000);
  console.log(`ceiling: ${ceiling.toFixed(0)} rows/s (100-row inserts, one transaction each)`);

  // Relay: store → JetStream.
  const r0 = performance.now();
  const relay = createRelay({
    db: createKysely<RelaySchema>(infra.pool),
    eventStore: infra.eventStore,
    nc: infra.nc,
    subjectPrefix: infra.nats.subjectPrefix,
  });
  await relay.start();
  await eventually('relay at head', async () => relay.position() >= head, 600_000);
  await relay.stop();
  const relayRate = Number(head) / ((performance.now() - r0) / 1000);
  console.log(`relay: ${relayRate.toFixed(0)} events/s`);

  const run = async (label: string, catchUpFromStore: boolean) => {
    await sql`update projections.checkpoints set position = 0`.execute(infra.db);
    for (const tenant of new Set(accounts.map((a) => a.tenantId))) {
      const s = `t_${tenant.replace(/-/g, '')}`;
      await sql`truncate ${sql.id(s, 'accounts')}, ${sql.id(s, 'account_entries')}`
        .execute(infra.db)
        .catch(() => undefined);
    }
    await infra.jsm.consumers.delete(infra.nats.stream, 'proj_accounts').catch(() => undefined);
    const t0 = performance.now();
    const runner = startRunner(infra, { catchUpFromStore }, accountsProjection);
    await runner.start();
    await eventually(
      `${label} at head`,
      async () => ((await checkpointOf(infra))?.position ?? 0n) >= head,
      600_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    await runner.stop();
    const rate = Number(head) / seconds;
    console.log(
      `projection via ${label}: ${rate.toFixed(0)} events/s (${seconds.toFixed(1)} s), ${(rate / ceiling).toFixed(2)} of the ceiling`,
    );
  };
  await run('JetStream', false);
  await run('event store', true);
} finally {
  await infra.close();
}
