import { ACCOUNTS_PROJECTION } from '@techflow/platform';
import { sql } from 'kysely';
import type { ProjectorMetrics } from '../../src/metrics.js';
import type { Projection } from '../../src/projection.js';
import { accountsProjection } from '../../src/projections/accounts.js';
import { createProjectionRunner, type RunnerOptions } from '../../src/runner.js';
import { eventually, type Infra } from './infra.js';

export function startRunner(
  infra: Infra,
  options: RunnerOptions = {},
  projection: Projection = accountsProjection,
  metrics?: ProjectorMetrics,
  db: Infra['db'] = infra.db,
) {
  return createProjectionRunner(
    {
      ...(metrics ? { metrics } : {}),
      db,
      eventStore: infra.eventStore,
      js: infra.js,
      jsm: infra.jsm,
      stream: infra.nats.stream,
      subjectPrefix: infra.nats.subjectPrefix,
    },
    projection,
    options,
  );
}

export async function checkpointOf(infra: Infra, name = ACCOUNTS_PROJECTION) {
  const row = await infra.db
    .selectFrom('projections.checkpoints')
    .select(['position', 'status', 'last_error'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? { ...row, position: BigInt(row.position) } : null;
}

export const reaches = (infra: Infra, position: bigint) =>
  eventually(`checkpoint reaches ${position}`, async () => {
    const cp = await checkpointOf(infra);
    return cp !== null && cp.position >= position;
  });

/** Counts entries in a tenant schema by entry id, to spot duplicates. */
export async function duplicateEntries(infra: Infra, schema: string): Promise<number> {
  const r = await sql<{ n: string }>`
    select count(*) - count(distinct entry_id) as n from ${sql.id(schema, 'account_entries')}
  `.execute(infra.db);
  return Number(r.rows[0]?.n ?? 0);
}
