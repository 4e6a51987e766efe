import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import { verifyChain } from '../src/event-store/hash-chain.js';
import type { ExpectedRevision, IdempotencyRecord, NewEvent } from '../src/event-store/port.js';
import {
  appendBatch,
  type BatchCommand,
  type BatchResult,
} from '../src/event-store/postgres/append-batch.js';
import { appendCommands, toAppendRows } from '../src/event-store/postgres/append-rows.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { readStream } from '../src/event-store/postgres/read-stream.js';
import { toBatchCommand } from '../src/event-store/postgres/to-batch-command.js';
import { createTestDatabase } from '../src/testing/database.js';
import { tableScans } from '../src/testing/table-scans.js';

// Two stores fed the same batches: one through appendCommands (set-based rows, falling back
// to es.append_batch on a refusal), one through es.append_batch alone, the reference.
const dbRows = await createTestDatabase('tf_rows');
const dbRef = await createTestDatabase('tf_rows_ref');
const rows = createPool(dbRows.url, { max: 4 });
const ref = createPool(dbRef.url, { max: 2 });
t.teardown(async () => {
  await Promise.all([rows.end(), ref.end()]);
  await Promise.all([dbRows.drop(), dbRef.drop()]);
});
await Promise.all([migrateEventStore(rows), migrateEventStore(ref)]);

const event = (eventId: string, note: string): NewEvent => ({
  eventId,
  type: 'Noted',
  version: 1,
  data: { note },
  metadata: {
    tenantId: 'tenant-a',
    actor: 'user:test',
    correlationId: '00000000-0000-4000-8000-000000000001',
    causationId: null,
    occurredAt: '2026-11-28T00:00:00.000Z',
  },
});

const dump = async (pool: typeof rows, prefix: string) => {
  const like = [`${prefix}%`];
  const events = await pool.query(
    `select position::text, event_id, stream_id, revision::text, category, tenant_id, type, version,
            data, metadata, prev_hash, hash
       from es.events where stream_id like $1 order by position`,
    like,
  );
  const streams = await pool.query(
    `select stream_id, revision::text, last_hash, last_position::text
       from es.streams where stream_id like $1 order by stream_id`,
    like,
  );
  const keys = await pool.query(
    `select scope, key, request_hash, status, body, position::text
       from es.idempotency_keys where scope = $1 order by key`,
    [prefix],
  );
  return { events: events.rows, streams: streams.rows, keys: keys.rows };
};

// One command as the generator describes it; turned into a BatchCommand against the
// reference's current revisions, so most expectations are right and some are not.
type Expectation = 'right' | 'stale' | 'ahead' | 'no_stream' | 'any';
interface CommandSpec {
  readonly streams: readonly { readonly stream: number; readonly expect: Expectation }[];
  readonly twoEvents: boolean;
  readonly reuseEventId: boolean;
  readonly key: 'none' | 'fresh' | 'reused';
}
const commandSpec = fc.record({
  streams: fc.uniqueArray(
    fc.record({
      stream: fc.integer({ min: 0, max: 4 }),
      // Mostly right, so that whole batches qualify and commit as rows often.
      expect: fc.oneof(
        { arbitrary: fc.constant<Expectation>('right'), weight: 12 },
        {
          arbitrary: fc.constantFrom<Expectation>('stale', 'ahead', 'no_stream', 'any'),
          weight: 4,
        },
      ),
    }),
    { minLength: 1, maxLength: 2, selector: (s) => s.stream },
  ),
  twoEvents: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  reuseEventId: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  key: fc.oneof(
    { arbitrary: fc.constant<CommandSpec['key']>('none'), weight: 3 },
    { arbitrary: fc.constant<CommandSpec['key']>('fresh'), weight: 6 },
    { arbitrary: fc.constant<CommandSpec['key']>('reused'), weight: 1 },
  ),
});

let run = 0;
t.test('appendCommands answers and writes exactly what es.append_batch does', async (t) => {
  let refused = 0;
  let eligible = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(commandSpec, { minLength: 1, maxLength: 5 }), {
        minLength: 1,
        maxLength: 6,
      }),
      async (specBatches) => {
        const prefix = `r${run++}-`;
        const revisions = new Map<string, bigint>();
        const usedIds: { streamId: string; eventId: string }[] = [];
        const usedKeys: IdempotencyRecord[] = [];
        for (const specs of specBatches) {
          const commands: BatchCommand[] = specs.map((spec, c) => {
            const appends = spec.streams.map(({ stream, expect }) => {
              const streamId = `${prefix}s${stream}`;
              const current = revisions.get(streamId);
              const expectedRevision: ExpectedRevision =
                expect === 'no_stream' || expect === 'any'
                  ? expect
                  : current === undefined
                    ? expect === 'right'
                      ? 'no_stream'
                      : 0n
                    : expect === 'right'
                      ? current
                      : expect === 'stale'
                        ? current - 1n
                        : current + 1n;
              const reused = spec.reuseEventId ? usedIds.at(-1) : undefined;
              const ids = [
                reused?.eventId ?? randomUUID(),
                ...(spec.twoEvents ? [randomUUID()] : []),
              ];
              return {
                streamId,
                expectedRevision,
                events: ids.map((id) => event(id, `${streamId} ${c}`)),
              };
            });
            const reusedKey = spec.key === 'reused' ? usedKeys.at(-1) : undefined;
            const idempotency: IdempotencyRecord | undefined =
              reusedKey ??
              (spec.key === 'none'
                ? undefined
                : { scope: prefix, key: randomUUID(), requestHash: 'h', status: 201, body: { c } });
            if (idempotency && !reusedKey) usedKeys.push(idempotency);
            return toBatchCommand(appends, idempotency ? { idempotency } : {});
          });
          if (toAppendRows(commands)) eligible++;
          // A batch naming one new event id twice fails as a whole in es.append_batch too
          // (group commit then retries its commands one by one): then both must fail alike.
          const settle = (p: Promise<BatchResult>) =>
            p.then(
              (result) => ({ result }),
              (e: { code?: string }) => ({ error: e.code }),
            );
          const mine = await settle(appendCommands(rows, commands, () => refused++));
          const theirs = await settle(appendBatch(ref, commands));
          t.same(mine, theirs, 'the same answer for every command, or the same error');
          if (!('result' in theirs)) continue;
          for (const outcome of theirs.result.outcomes) {
            if (outcome.kind !== 'appended') continue;
            for (const s of outcome.streams) revisions.set(s.streamId, BigInt(s.revision));
          }
          for (const command of commands)
            for (const s of command.streams)
              for (const e of s.events) usedIds.push({ streamId: s.streamId, eventId: e.eventId });
        }
        const [a, b] = await Promise.all([dump(rows, prefix), dump(ref, prefix)]);
        t.same(a, b, 'the same rows in events, streams and idempotency keys');
        return true;
      },
    ),
    { numRuns: 60 },
  );
  t.ok(
    refused > 0 && refused < eligible,
    `batches were written as rows and refused as rows (${refused} of ${eligible} refused)`,
  );
});

/**
 * Until `n` statements wait on a lock in this database: a fixed sleep let a loaded machine
 * start a statement only after the commit it was meant to wait behind.
 */
async function lockWaiters(n: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 20_000; ) {
    const { rows: found } = await rows.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((found[0]?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${n} statements never waited on the lock`);
}

t.test('a stream moved while the statement waited for the log head', async (t) => {
  const streamId = `moved-${randomUUID()}`;
  await appendCommands(rows, [
    toBatchCommand(
      [{ streamId, expectedRevision: 'no_stream', events: [event(randomUUID(), '0')] }],
      {},
    ),
  ]);
  // Another writer holds the log head and moves the stream to revision 1, uncommitted.
  const other = await rows.connect();
  t.teardown(() => other.release());
  await other.query('begin');
  await appendBatch(other, [
    toBatchCommand([{ streamId, expectedRevision: 0n, events: [event(randomUUID(), '1')] }], {}),
  ]);
  let refused = 0;
  // Both statements start (and take their snapshots) before that commit.
  const stale = appendCommands(
    rows,
    [toBatchCommand([{ streamId, expectedRevision: 0n, events: [event(randomUUID(), 'x')] }], {})],
    () => refused++,
  );
  const current = appendCommands(
    rows,
    [toBatchCommand([{ streamId, expectedRevision: 1n, events: [event(randomUUID(), '2')] }], {})],
    () => refused++,
  );
  await lockWaiters(2);
  await other.query('commit');
  const [a, b] = await Promise.all([stale, current]);
  t.same(
    [a.outcomes[0]?.kind, b.outcomes[0]?.kind].sort(),
    ['appended', 'conflict'],
    'the stale expectation was refused, the current one appended',
  );
  t.equal(refused, 2, 'both were refused as rows, then decided by es.append_batch');
  const events = await readStream(rows, streamId);
  t.same(
    events.map((e) => e.revision),
    [0n, 1n, 2n],
    'three events, no gap',
  );
  t.same(verifyChain(events), [], 'and an unbroken hash chain');
});

t.test('a stream created while the statement waited for the log head', async (t) => {
  const streamId = `born-${randomUUID()}`;
  const other = await rows.connect();
  t.teardown(() => other.release());
  await other.query('begin');
  await appendBatch(other, [
    toBatchCommand(
      [{ streamId, expectedRevision: 'no_stream', events: [event(randomUUID(), '0')] }],
      {},
    ),
  ]);
  const late = appendCommands(rows, [
    toBatchCommand(
      [{ streamId, expectedRevision: 'no_stream', events: [event(randomUUID(), 'x')] }],
      {},
    ),
  ]);
  await lockWaiters(1);
  await other.query('commit');
  const result = await late;
  t.equal(result.outcomes[0]?.kind, 'conflict', 'the second creation is a conflict');
  t.equal((await readStream(rows, streamId)).length, 1, 'one event in the stream');
});

t.test('a batch looks streams up by key however many there are', async (t) => {
  // One connection, so every append below runs in the session whose plan is cached.
  const session = createPool(dbRows.url, { max: 1 });
  t.teardown(() => session.end());
  const prefix = `grow-${randomUUID()}-`;
  const revisions = new Map<string, bigint>();
  const appendRound = async (round: number) => {
    const commands = Array.from({ length: 8 }, (_, i) => {
      const streamId = `${prefix}${i}`;
      const current = revisions.get(streamId);
      return toBatchCommand(
        [
          {
            streamId,
            expectedRevision: current ?? 'no_stream',
            events: [event(randomUUID(), `${round}`)],
          },
        ],
        {},
      );
    });
    const result = await appendCommands(session, commands, () => t.fail('refused'));
    for (const outcome of result.outcomes) {
      if (outcome.kind !== 'appended') throw new Error(outcome.kind);
      for (const s of outcome.streams) revisions.set(s.streamId, BigInt(s.revision));
    }
  };
  // Enough batches while es.streams is small for the session to keep a generic plan.
  for (let round = 0; round < 10; round++) await appendRound(round);
  await session.query(
    `insert into es.streams (stream_id, revision, last_hash, last_position)
     select 'filler-' || g, 0, 'h', 0 from generate_series(1, 20000) g`,
  );
  const before = await tableScans(session, 'es', 'streams');
  for (let round = 10; round < 20; round++) await appendRound(round);
  const after = await tableScans(session, 'es', 'streams');
  t.equal(after.seq - before.seq, 0, 'no batch scanned es.streams');
  t.ok(
    after.idx - before.idx >= 10,
    `each batch used its index (${after.idx - before.idx} lookups)`,
  );
});
