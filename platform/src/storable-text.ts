/**
 * Postgres text and jsonb hold neither NUL nor an unpaired UTF-16 surrogate: such a string
 * fails the statement that stores it (22P05, 22P02), which JSON itself allows. Input with one
 * is refused at the door rather than failing the append it reaches.
 */
export const isStorableString = (s: string): boolean =>
  !s.includes('\u0000') && (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * Only these escapes can put such a character into parsed JSON (a raw NUL is not valid JSON
 * text, and UTF-8 decoding already replaced any unpaired surrogate), so bodies without one
 * skip the walk.
 */
export const MAY_HOLD_UNSTORABLE = /\\u(?:0000|[dD][89a-fA-F])/;

/** The JSON pointer of the first string, key or value, Postgres cannot store; undefined if none. */
export function findUnstorable(value: unknown, pointer = ''): string | undefined {
  if (typeof value === 'string') return isStorableString(value) ? undefined : pointer || '/';
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorable(value[i], `${pointer}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, member] of Object.entries(value)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isStorableString(key)) return at;
    const found = findUnstorable(member, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
