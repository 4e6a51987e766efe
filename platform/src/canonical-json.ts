/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace: one
 * text per value, whoever serialized it. Undefined members are left out, as JSON.stringify
 * does. The hash chain and idempotency request hashes both depend on it, so there is one.
 * Built by string concatenation over sorted keys: the first version's entries arrays, filter,
 * sort comparator and joins were a twentieth of the command service's CPU. The text must
 * never change (stored hashes depend on it): a property test holds it to that first version.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole stays empty, as the first version's map/join left it.
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `a < b` does on strings.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
};
