/** The first sample of `name` (any labels) in a Prometheus text exposition; 0 if absent. */
export const metricValue = (text: string, name: string): number =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? 0);

/** The command service's group-commit counters (append-metrics.ts), since it started. */
export interface GroupCommitCounters {
  readonly batches: number;
  readonly commands: number;
  readonly seconds: number;
}

export const groupCommitCounters = (text: string): GroupCommitCounters => ({
  batches: metricValue(text, 'techflow_append_batch_commands_count'),
  commands: metricValue(text, 'techflow_append_batch_commands_sum'),
  seconds: metricValue(text, 'techflow_append_batch_seconds_sum'),
});

const NONE: GroupCommitCounters = { batches: 0, commands: 0, seconds: 0 };

/** Batches, commands per batch and each batch's mean round trip (ms) between two readings. */
export function groupCommitBetween(
  after: GroupCommitCounters,
  before: GroupCommitCounters = NONE,
): { batches: number; commandsPerBatch: number; batchMs: number } {
  const batches = after.batches - before.batches;
  return {
    batches,
    commandsPerBatch: (after.commands - before.commands) / (batches || 1),
    batchMs: ((after.seconds - before.seconds) * 1000) / (batches || 1),
  };
}
