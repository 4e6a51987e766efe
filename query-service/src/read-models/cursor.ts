/**
 * Opaque keyset cursors: base64url of `<version>:<position>:<id>`. Clients never look inside;
 * a cursor that does not decode to that shape is a validation failure, not an empty page.
 */
export interface Keyset {
  readonly position: bigint;
  readonly id: string;
}

const VERSION = 'k1';
const SHAPE =
  /^k1:(0|[1-9][0-9]{0,18}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const encodeCursor = (key: Keyset): string =>
  Buffer.from(`${VERSION}:${key.position}:${key.id}`, 'utf8').toString('base64url');

/** The keyset a cursor stands for, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): Keyset | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const match = SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) return undefined;
  return { position: BigInt(match[1]), id: match[2] };
}
