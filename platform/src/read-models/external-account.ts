import { createHash } from 'node:crypto';
import { CURRENCY_CODES } from '@techflow/domain';

// The namespace of external settlement account ids (a random v4 UUID, fixed forever: changing
// it would give every tenant new external accounts).
const NAMESPACE = '5f0c7a3e-2d1b-4c8e-9a47-6b3f1e2d9c01';

const uuidBytes = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');

/** RFC 9562 UUIDv5: SHA-1 of namespace and name, with the version and variant bits set. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the tenant's external settlement account for a currency: the other side of every
 * deposit and withdrawal. Deterministic, so every projector and reader agrees on it without
 * storing it anywhere.
 */
export const externalAccountId = (tenantId: string, currency: string): string =>
  uuidV5(NAMESPACE, `${tenantId.toLowerCase()}:external:${currency.toUpperCase()}`);

/**
 * The id the external account's statement gives its side of a customer line: deterministic,
 * so the line keeps its id across reads and rebuilds without being stored.
 */
export const mirrorEntryId = (entryId: string): string =>
  uuidV5(NAMESPACE, `${entryId.toLowerCase()}:mirror`);

/**
 * The currency whose external settlement account has this id in the tenant, if any. A client
 * may choose its own account ids, and one equal to an external account's would make the
 * projection hold two accounts under one id: the command side refuses it with this. Only a
 * version-5 UUID can be one, so any other id costs a character comparison.
 */
export function externalAccountCurrency(tenantId: string, accountId: string): string | undefined {
  const id = accountId.toLowerCase();
  if (id[14] !== '5') return undefined;
  return CURRENCY_CODES.find((currency) => externalAccountId(tenantId, currency) === id);
}
