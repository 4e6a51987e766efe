/** Latency and rate helpers shared by the benchmarks. */

/** Numbers in ascending order, for Array.prototype.sort (whose default compares as text). */
export const ascending = (a: number, b: number): number => a - b;

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

/**
 * The p-th percentile of one latency column of a timeline, second by second of sending time
 * (rounded to whole ms): rows are [sentMs, ...latencies].
 */
export function perSecond(
  timeline: readonly (readonly number[])[],
  column: number,
  p: number,
): number[] {
  const seconds: number[][] = [];
  for (const row of timeline) {
    const second = Math.floor(row[0]! / 1000);
    const bucket = seconds[second] ?? [];
    bucket.push(row[column]!);
    seconds[second] = bucket;
  }
  // A second in which nothing was sent (a hole) reads 0.
  return Array.from(seconds, (s) => (s ? Math.round(percentile(s.sort(ascending), p)) : 0));
}

export interface LatencySummary {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: number[], elapsedMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort(ascending);
  return {
    count: sorted.length,
    perSecond: (sorted.length / elapsedMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * Runs `op` `total` times with `concurrency` in flight and records each latency.
 * Returns the latencies (ms) and the elapsed wall time (ms).
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, elapsedMs: performance.now() - started };
}

export const fmt = (n: number, digits = 1) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

/** One round of a paired measurement: a figure and the ceiling measured just before it. */
export interface Round<F extends { perSecond: number }> {
  readonly figure: F;
  readonly ceiling: LatencySummary;
  readonly ratio: number;
}

/**
 * Runs `rounds` rounds of ceiling-then-figure and returns them ordered by ratio. On a shared
 * 2-core VM the machine's speed drifts by a third within minutes (the same CPU loop took
 * 2.5-3.9 s in one sitting), so a ratio of a figure to a ceiling measured minutes earlier
 * judged the drift as much as the code; each round's ratio pairs two runs seconds apart.
 */
export async function pairedRounds<F extends { perSecond: number }>(
  rounds: number,
  ceiling: () => Promise<LatencySummary>,
  figure: () => Promise<F>,
): Promise<Round<F>[]> {
  const out: Round<F>[] = [];
  for (let r = 0; r < rounds; r++) {
    const c = await ceiling();
    const f = await figure();
    out.push({ figure: f, ceiling: c, ratio: f.perSecond / c.perSecond });
  }
  return out.sort((a, b) => a.ratio - b.ratio);
}

/** The round with the median ratio (the lower middle one for an even count). */
export const medianRound = <R>(sortedRounds: readonly R[]): R =>
  sortedRounds[Math.floor((sortedRounds.length - 1) / 2)]!;
