import { randomInt, randomUUID } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import type { NewEvent, ReadAllBatch } from '../src/event-store/port.js';
import { appendBatch } from '../src/event-store/postgres/append-batch.js';
import { appendRows, toAppendRows } from '../src/event-store/postgres/append-rows.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { createPostgresEventStore } from '../src/event-store/postgres/postgres-event-store.js';
import { toBatchCommand } from '../src/event-store/postgres/to-batch-command.js';
import { createTestDatabase } from '../src/testing/database.js';

// The bar: at least 8 concurrent writers appending thousands of events. A command
// carries 2 events on average and two in three commit: about 8 * 320 * 2 * 2/3 = 3,400
// committed (and 1,700 rolled back), well clear of the 2,000 asserted below.
const WRITERS = 8;
const COMMANDS_PER_WRITER = 320;

const db = await createTestDatabase('tf_es_late');
const pool = createPool(db.url, { max: 3 });
t.teardown(async () => {
  await pool.end();
  await db.drop();
});
await migrateEventStore(pool);

const event = (writer: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'Noted',
  version: 1,
  data: { writer, pad: 'x'.repeat(randomInt(10, 200)) },
  metadata: {
    tenantId: `tenant-${writer % 3}`,
    actor: `system:writer-${writer}`,
    correlationId: randomUUID(),
    causationId: null,
    occurredAt: new Date().toISOString(),
  },
});

// The delay only shapes the interleaving (commits that land late, rollbacks after others
// waited); no assertion depends on how long anything took.
const pause = () => new Promise((resolve) => setTimeout(resolve, randomInt(0, 4)));

interface WriterLog {
  committed: string[];
  rolledBack: string[];
}

/**
 * One connection, appending one command at a time: autocommit, late commit or rollback. Half
 * the commands are one event at the stream's exact revision, which the set-based
 * es.append_rows writes (the group commit's usual path); the others are 1-5 events through
 * es.append_batch. Both take the log-head lock, and neither may let a reader skip a commit.
 */
async function writer(n: number): Promise<WriterLog> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const log: WriterLog = { committed: [], rolledBack: [] };
  // Each writer owns its streams, so it knows their revisions.
  const revisions = new Map<string, number>();
  try {
    for (let i = 0; i < COMMANDS_PER_WRITER; i++) {
      const asRows = randomInt(0, 2) === 0;
      const events = Array.from({ length: asRows ? 1 : randomInt(1, 6) }, () => event(n));
      const ids = events.map((e) => e.eventId);
      const streamId = `acct-${n}-${i % 17}`;
      const revision = revisions.get(streamId);
      const exact = revision === undefined ? 'no_stream' : BigInt(revision);
      const expectedRevision = asRows ? exact : 'any';
      const command = toBatchCommand([{ streamId, events, expectedRevision }], {});
      const append = () =>
        asRows ? appendRows(client, toAppendRows([command])!) : appendBatch(client, [command]);
      const committed = () => {
        log.committed.push(...ids);
        revisions.set(streamId, (revision ?? -1) + events.length);
      };
      const mode = randomInt(0, 3);
      if (mode === 0) {
        await append();
        committed();
        continue;
      }
      await client.query('begin');
      await append();
      await pause();
      if (mode === 1) {
        await client.query('commit');
        committed();
      } else {
        await client.query('rollback');
        log.rolledBack.push(...ids);
      }
    }
  } finally {
    await client.end();
  }
  return log;
}

t.test(
  'a subscriber from 0 sees every committed event once, in order, and no rollback',
  async (t) => {
    const store = createPostgresEventStore(pool);
    t.teardown(() => store.close());
    const seen: { position: bigint; eventId: string }[] = [];
    let scanned = 0n;
    let target: bigint | null = null;
    let reached: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const handler = async (batch: ReadAllBatch) => {
      for (const e of batch.events) seen.push({ position: e.position, eventId: e.eventId });
      scanned = batch.lastPosition;
      if (target !== null && scanned >= target) reached();
    };
    const sub = store.subscribe({ from: 0n, batchSize: 97 }, handler);

    // A second reader polling as fast as it can, so reads also land between a late commit's
    // insert and its commit, not only right after a wake-up.
    const polled: bigint[] = [];
    let polling = true;
    const poller = (async () => {
      let after = 0n;
      while (polling) {
        const page = await store.readAll(after, { maxCount: 50 });
        polled.push(...page.events.map((e) => e.position));
        after = page.lastPosition;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return after;
    })();

    const logs = await Promise.all(Array.from({ length: WRITERS }, (_, n) => writer(n)));
    target = await store.headPosition();
    if (scanned >= target) reached();
    await caughtUp;
    await sub.close();
    polling = false;
    await poller;

    const committed = new Set(logs.flatMap((l) => l.committed));
    const rolledBack = new Set(logs.flatMap((l) => l.rolledBack));
    t.ok(committed.size >= 2000, `thousands of events committed (${committed.size})`);
    t.ok(rolledBack.size >= 1000, `a thousand or more rolled back (${rolledBack.size})`);
    t.equal(target, BigInt(committed.size), 'the head counts exactly the committed events');
    t.ok(
      seen.every((e, i) => e.position === BigInt(i + 1)),
      'positions delivered are exactly 1, 2, 3, ... with no gap and no repeat',
    );
    const seenIds = new Set(seen.map((e) => e.eventId));
    t.equal(seen.length, committed.size, 'as many deliveries as committed events');
    t.equal(seenIds.size, seen.length, 'no event delivered twice');
    t.ok(
      [...committed].every((id) => seenIds.has(id)),
      'every committed event delivered',
    );
    t.ok(
      [...rolledBack].every((id) => !seenIds.has(id)),
      'no rolled-back event delivered',
    );
    t.ok(
      polled.every((p, i) => p === BigInt(i + 1)),
      `the polling reader saw a contiguous prefix too (${polled.length} events)`,
    );
  },
);
