/** The first sample of `name` (any labels) in a Prometheus text exposition; 0 if absent. */
export const metricValue = (text: string, name: string): number =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? 0);
