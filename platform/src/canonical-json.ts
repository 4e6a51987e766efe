/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace: one
 * text per value, whoever serialized it. Undefined members are left out, as JSON.stringify
 * does. The hash chain and idempotency request hashes both depend on it, so there is one.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};
