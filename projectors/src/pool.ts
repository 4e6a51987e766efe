import { createPool, type Pool } from '@techflow/platform';

/**
 * The projectors' connections. Few: the relay holds one for LISTEN and one per batch; each
 * runner one per batch. Commits need not wait for the WAL flush (a fsync per batch
 * otherwise): this process only reads the event store and writes what is derived from it.
 * Plans look rows up by key (keyedPlans): a batch's statement joins its accounts to the
 * tenant's table, and a plan made while that table was small would scan all of it ever after.
 */
export function createProjectorsPool(
  databaseUrl: string,
  options: { readonly max: number; readonly role: string },
): Pool {
  return createPool(databaseUrl, {
    max: Math.min(options.max, 6),
    applicationName: `projectors-${options.role}`,
    durableCommits: false,
    keyedPlans: true,
  });
}
