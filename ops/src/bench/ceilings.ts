import { randomUUID } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { type LatencySummary, runConcurrent, summarize } from './stats.js';

/**
 * The raw ceilings of ../shared/BENCH.md, measured in the same run as the figures they
 * judge: what bare Node + pg / NATS reach on this machine with no TechFlow code in the way.
 */

const EVENT_DATA = { amount: '12500', currency: 'EUR', reference: 'x'.repeat(120), n: 1 };

/** "read stream version + insert event": 64 in flight over 10,000 streams, pool of 10. */
export async function commandCeiling(url: string, operations = 20_000): Promise<LatencySummary> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await pool.query('drop table if exists bench_ev');
    await pool.query(`create table bench_ev (pos bigserial primary key, id uuid unique, stream_id text,
      version int, type text, data jsonb, unique (stream_id, version))`);
    const { latencies, elapsedMs } = await runConcurrent(operations, 64, async (i) => {
      const stream = `s-${i % 10_000}`;
      for (;;) {
        const r = await pool.query<{ v: number }>(
          'select coalesce(max(version), -1) as v from bench_ev where stream_id = $1',
          [stream],
        );
        try {
          await pool.query(
            'insert into bench_ev (id, stream_id, version, type, data) values ($1, $2, $3, $4, $5)',
            [randomUUID(), stream, Number(r.rows[0]!.v) + 1, 'FundsDeposited', EVENT_DATA],
          );
          return;
        } catch (e) {
          // Two in-flight operations on one stream: the loser re-reads, as an event store would.
          if ((e as { code?: string }).code !== '23505') throw e;
        }
      }
    });
    await pool.query('drop table bench_ev');
    return summarize(latencies, elapsedMs);
  } finally {
    await pool.end();
  }
}

/** 100-row multi-value inserts, one transaction per batch: rows/s. */
export async function projectionCeiling(url: string, rows = 200_000): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await pool.query('drop table if exists bench_rows');
    await pool.query(`create table bench_rows (id uuid primary key, account_id uuid, position bigint,
      amount numeric, balance_after numeric, at timestamptz)`);
    const client = await pool.connect();
    const started = performance.now();
    try {
      const account = randomUUID();
      for (let done = 0; done < rows; done += 100) {
        const values: unknown[] = [];
        const tuples: string[] = [];
        for (let j = 0; j < 100; j++) {
          const b = j * 6;
          tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`);
          values.push(randomUUID(), account, done + j, '12500', String(done + j), new Date());
        }
        await client.query('begin');
        await client.query(
          `insert into bench_rows (id, account_id, position, amount, balance_after, at) values ${tuples.join(',')}`,
          values,
        );
        await client.query('commit');
      }
    } finally {
      client.release();
    }
    const elapsed = performance.now() - started;
    await pool.query('drop table bench_rows');
    return (rows / elapsed) * 1000;
  } finally {
    await pool.end();
  }
}

/** JetStream publish with Nats-Msg-Id, 64 in flight; then a pull consumer fetching and acking. */
export async function natsCeiling(
  url: string,
  messages = 50_000,
): Promise<{ publishPerSecond: number; consumePerSecond: number }> {
  const nc = await connect({ servers: url });
  const name = `BENCH_${Date.now().toString(36)}`;
  const subject = `bench_${Date.now().toString(36)}`;
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name, subjects: [`${subject}.>`] });
    const js = jetstream(nc);
    const payload = new TextEncoder().encode(JSON.stringify({ ...EVENT_DATA, id: randomUUID() }));
    const pub = await runConcurrent(messages, 64, async (i) => {
      await js.publish(`${subject}.t.account.FundsDeposited`, payload, { msgID: `m-${i}` });
    });
    await jsm.consumers.add(name, { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(name, 'bench');
    const started = performance.now();
    let received = 0;
    while (received < messages) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
      for await (const m of batch) {
        received++;
        m.ack();
      }
    }
    const consumeMs = performance.now() - started;
    return {
      publishPerSecond: (messages / pub.elapsedMs) * 1000,
      consumePerSecond: (messages / consumeMs) * 1000,
    };
  } finally {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(name).catch(() => undefined);
    await nc.close();
  }
}
