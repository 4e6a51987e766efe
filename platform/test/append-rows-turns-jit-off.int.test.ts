import { randomUUID } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { createPool } from '../src/db/pool.js';
import { appendRows, toAppendRows } from '../src/event-store/postgres/append-rows.js';
import { migrateEventStore } from '../src/event-store/postgres/migrate.js';
import { toBatchCommand } from '../src/event-store/postgres/to-batch-command.js';
import { createTestDatabase } from '../src/testing/database.js';

// es.append_rows plans with sequential scans off, so every plan of it costs over 10^10, far
// past jit_above_cost: a session with JIT on (a plain client, psql; our pools turn it off)
// compiled the statement on every call, 500-750 ms of CPU per append here. The function turns
// JIT off for itself.

const db = await createTestDatabase('tf_es_jit');
const pool = createPool(db.url, { max: 1 });
t.teardown(async () => {
  await pool.end();
  await db.drop();
});
await migrateEventStore(pool);

t.test('es.append_rows runs with JIT off, whatever the session says', async (t) => {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  await client.query('set jit = on');
  const { rows } = await client.query<{ config: string[] }>(
    `select proconfig as config from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'es' and p.proname = 'append_rows'`,
  );
  t.ok(rows[0]?.config.includes('jit=off'), `its settings: ${rows[0]?.config.join(', ')}`);
  // A call from this session appends, and leaves the session's own setting as it was.
  const command = toBatchCommand(
    [
      {
        streamId: 'acct-1',
        expectedRevision: 'no_stream',
        events: [
          {
            eventId: randomUUID(),
            type: 'Noted',
            version: 1,
            data: {},
            metadata: {
              tenantId: 't1',
              actor: 'user:1',
              correlationId: randomUUID(),
              causationId: null,
              occurredAt: new Date().toISOString(),
            },
          },
        ],
      },
    ],
    {},
  );
  const result = await appendRows(client, toAppendRows([command])!);
  t.equal(result.written, 1, 'appended');
  const after = await client.query<{ jit: string }>(`select current_setting('jit') as jit`);
  t.equal(after.rows[0]?.jit, 'on', 'the session keeps its own setting after the call');
});
