import { randomUUID } from 'node:crypto';
import { streamName } from '@techflow/domain';
import {
  createPool,
  createPostgresEventStore,
  migrateEventStore,
  type NewEvent,
  type StreamAppend,
} from '@techflow/platform';

/**
 * Appends a backlog of `total` account events (2,000 accounts: one AccountOpened, then
 * deposits) straight through the Postgres event store, as commands would have.
 * Returns the head position.
 */
export async function seedBacklog(url: string, total: number): Promise<bigint> {
  const pool = createPool(url, { max: 4 });
  const store = createPostgresEventStore(pool);
  try {
    await migrateEventStore(pool);
    const tenantId = randomUUID();
    const accounts = Array.from({ length: 2_000 }, () => ({
      id: randomUUID(),
      revision: -1n,
      balance: 0n,
    }));
    const meta = (occurredAt: string) => ({
      tenantId,
      actor: 'system:bench',
      correlationId: randomUUID(),
      causationId: null,
      occurredAt,
    });
    let written = 0;
    while (written < total) {
      const appends: StreamAppend[] = [];
      for (const a of accounts) {
        if (written >= total || appends.length >= 500) break;
        const now = new Date().toISOString();
        const events: NewEvent[] = [];
        if (a.revision === -1n) {
          events.push({
            eventId: randomUUID(),
            type: 'AccountOpened',
            version: 1,
            data: { accountId: a.id, name: 'Backlog', currency: 'EUR', allowOverdraft: false },
            metadata: meta(now),
          });
        } else {
          a.balance += 12_500n;
          events.push({
            eventId: randomUUID(),
            type: 'FundsDeposited',
            version: 1,
            data: {
              accountId: a.id,
              entryId: randomUUID(),
              amount: '12500',
              currency: 'EUR',
              balanceAfter: a.balance.toString(),
            },
            metadata: meta(now),
          });
        }
        appends.push({
          streamId: streamName('account', tenantId, a.id),
          events,
          expectedRevision: a.revision === -1n ? 'no_stream' : a.revision,
        });
        a.revision += 1n;
        written++;
      }
      // Rotate so each call touches each stream at most once.
      accounts.push(...accounts.splice(0, appends.length));
      await store.appendToStreams(appends);
    }
    return await store.headPosition();
  } finally {
    await store.close();
    await pool.end();
  }
}

/** Waits until the accounts projection's checkpoint reaches `head`. */
export async function waitForProjection(
  url: string,
  head: bigint,
  timeoutMs: number,
): Promise<void> {
  const pool = createPool(url, { max: 1 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await pool
        .query<{ position: string }>(
          "select position from projections.checkpoints where name = 'accounts'",
        )
        .catch(() => ({ rows: [] as { position: string }[] }));
      const pos = r.rows[0] ? BigInt(r.rows[0].position) : 0n;
      if (pos >= head) return;
      if (Date.now() > deadline)
        throw new Error(`projection at ${pos} of ${head} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await pool.end();
  }
}

/** The event store's head position, read straight from the database. */
export async function storeHead(url: string): Promise<bigint> {
  const pool = createPool(url, { max: 1 });
  try {
    const r = await pool.query<{ position: string }>('select position from es.log_head');
    return BigInt(r.rows[0]?.position ?? '0');
  } finally {
    await pool.end();
  }
}
