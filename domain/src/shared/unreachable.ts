/**
 * The `never` check that ends every decide() switch. TypeScript proves the branch dead for
 * typed callers; at runtime it still names what an untyped caller (JSON, plain JS) sent.
 */
export const unreachable = (value: never, what: string): never => {
  const seen: unknown = value;
  const type =
    typeof seen === 'object' && seen !== null && 'type' in seen ? String(seen.type) : String(seen);
  throw new TypeError(`unknown ${what}: ${type}`);
};
