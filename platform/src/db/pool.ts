import pg from 'pg';

// numeric (money) and int8 (positions) come back as strings; code turns them into bigint
// where it reads them, so nothing is ever rounded through a JS number.

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  readonly max?: number;
  readonly applicationName?: string;
  /**
   * false: commits return before their WAL is flushed to disk (`synchronous_commit = off`).
   * Only for data derived from the event store (read models, checkpoints): a Postgres crash
   * can lose the last few hundred milliseconds of it, always a consistent prefix, and the
   * projections re-apply what was lost from their checkpoint. Never for appends.
   */
  readonly durableCommits?: boolean;
  /**
   * true: the session plans with index lookups and nested loops only (sequential scans, hash
   * and merge joins off). For sessions whose prepared statements join a batch of keys to
   * tables that grow: Postgres plans such a statement once per session, and a plan made while
   * a table was small scans the whole table and is kept as it grows, until the table is
   * analyzed again (never, where autovacuum is off).
   */
  readonly keyedPlans?: boolean;
}

export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'techflow',
    idleTimeoutMillis: 30_000,
    // No JIT: our statements are short, and a misestimated cost (a table never analyzed)
    // crossed jit_above_cost now and then, spending 100-300 ms compiling a read of a few rows
    // (auto_explain in probe-visible.ts showed the relay's read at 293 ms, 0.7 ms of it the
    // execution); that was most of the write-to-visible tail at low load.
    options: [
      '-c jit=off',
      ...(options.durableCommits === false ? ['-c synchronous_commit=off'] : []),
      ...(options.keyedPlans
        ? ['-c enable_seqscan=off', '-c enable_hashjoin=off', '-c enable_mergejoin=off']
        : []),
    ].join(' '),
  });
  // An idle client's error (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => undefined);
  return pool;
}
