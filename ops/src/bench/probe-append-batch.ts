// Ad-hoc probe (not part of npm run bench): what es.append_batch costs per command, one
// connection, batches of B single-event commands with Idempotency-Keys. B=32 node --import tsx …
// VIA=rows: the same batches through es.append_rows, the set-based path (append-rows.ts).
import './closed-stdout.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createPool, migrateEventStore, toAppendRows } from '@techflow/platform';
import { createTestDatabase } from '@techflow/platform/testing';
import { cpuSecondsOf } from './cpu.js';

const db = await createTestDatabase('tf_ab');
const pool = createPool(db.url, { max: 1 });
try {
  await migrateEventStore(pool);
  if (process.env['VARIANT_SQL'])
    await pool.query(readFileSync(process.env['VARIANT_SQL'], 'utf8'));
  const B = Number(process.env['B'] ?? 32);
  const streams = Array.from({ length: 200 }, (_, i) => `account-t1:${i}`);
  const rev = new Map<string, number>();
  const batch = (k: number) =>
    Array.from({ length: B }, (_, j) => {
      const sid = streams[(k * B + j) % streams.length]!;
      const r = rev.get(sid);
      rev.set(sid, (r ?? -1) + 1);
      return {
        idempotency: {
          scope: 'u1',
          key: randomUUID(),
          requestHash: 'x'.repeat(64),
          status: 201,
          body: { ok: true, amount: '100' },
        },
        streams: [
          {
            streamId: sid,
            category: 'account',
            expected: r === undefined ? 'no_stream' : String(r),
            events: [
              {
                eventId: randomUUID(),
                type: 'FundsDeposited',
                version: 1,
                data: {
                  accountId: randomUUID(),
                  amount: '12500',
                  currency: 'EUR',
                  reference: 'bench',
                  balanceAfter: '100000',
                  entryId: randomUUID(),
                },
                metadata: {
                  tenantId: 't1',
                  actor: 'user:1',
                  correlationId: randomUUID(),
                  causationId: null,
                  occurredAt: new Date().toISOString(),
                },
                contentHash: 'a'.repeat(64),
              },
            ],
          },
        ],
      };
    });
  type Batch = ReturnType<typeof batch>;
  const asRows = (commands: Batch) => {
    const rows = toAppendRows(commands);
    if (!rows) throw new Error('these batches always qualify for es.append_rows');
    return [rows.events, rows.keys, rows.count];
  };
  const rowsPath = process.env['VIA'] === 'rows';
  const prepare = (commands: Batch) => (rowsPath ? asRows(commands) : [JSON.stringify(commands)]);
  const statement = rowsPath
    ? 'select es.append_rows($1::jsonb, $2::jsonb, $3::int)'
    : 'select es.append_batch($1)';
  for (let k = 0; k < 50; k++) await pool.query(statement, prepare(batch(k)));
  for (const statement of (process.env['SESSION'] ?? '').split(';').filter((x) => x.trim()))
    await pool.query(statement);
  const backend = (await pool.query<{ pid: number }>('select pg_backend_pid() pid')).rows[0]!.pid;
  const cpu0 = cpuSecondsOf(backend);
  const N = Number(process.env['N'] ?? 300);
  const inputs = Array.from({ length: N }, (_, k) => prepare(batch(k + 50)));
  const t0 = performance.now();
  for (const input of inputs) await pool.query(statement, input);
  const ms = (performance.now() - t0) / N;
  const cpuMs = ((cpuSecondsOf(backend) - cpu0) * 1000) / N;
  console.log(
    JSON.stringify({
      via: rowsPath ? 'es.append_rows' : 'es.append_batch',
      B,
      msPerBatch: ms.toFixed(2),
      backendCpuMsPerBatch: cpuMs.toFixed(2),
      usPerCommand: ((ms * 1000) / B).toFixed(0),
    }),
  );
} finally {
  await pool.end();
  await db.drop();
}
