import { hash } from 'node:crypto';
import { MAX_POSITION } from '../schemas/common.js';

/**
 * Opaque keyset cursors: base64url of `k2:<scope>:<position>:<id>`. Clients never look inside;
 * a cursor that does not decode to that shape, or was handed out for another list, is a
 * validation failure, not an empty or shifted page.
 *
 * The scope is a short hash of what the list is (its endpoint, the account for a statement,
 * the tenant): a cursor from one list used on another would otherwise be read as a keyset of
 * that list and silently skip its rows. It is not a secret: a client that forges a cursor for
 * its own list only pages its own data from another point.
 */
export interface Keyset {
  readonly position: bigint;
  readonly id: string;
}

const VERSION = 'k2';
const SHAPE =
  /^k2:([0-9a-f]{12}):(0|[1-9][0-9]{0,18}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** What a cursor is for: `['accounts', tenantId]`, `['entries', tenantId, accountId]`. */
export type CursorScope = readonly string[];

const scopeTag = (scope: CursorScope) => hash('sha256', scope.join('\n'), 'hex').slice(0, 12);

export const encodeCursor = (scope: CursorScope, key: Keyset): string =>
  Buffer.from(`${VERSION}:${scopeTag(scope)}:${key.position}:${key.id}`, 'utf8').toString(
    'base64url',
  );

/** The keyset a cursor stands for, or undefined when it is not one this list handed out. */
export function decodeCursor(scope: CursorScope, cursor: string): Keyset | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const match = SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2] || !match[3] || match[1] !== scopeTag(scope)) return undefined;
  const position = BigInt(match[2]);
  return position > MAX_POSITION ? undefined : { position, id: match[3] };
}
