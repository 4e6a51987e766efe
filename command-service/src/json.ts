import { isStorableString, type Json, type JsonObject } from '@techflow/platform';

const isJson = (value: unknown): value is Json => {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return isStorableString(value);
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return Array.isArray(value) ? isDenseJsonArray(value) : isJsonObject(value);
    default:
      return false;
  }
};

// A hole hashes as nothing but is stored as null: the event could never be verified.
const isDenseJsonArray = (value: readonly unknown[]): boolean => {
  for (let i = 0; i < value.length; i++) if (!(i in value) || !isJson(value[i])) return false;
  return true;
};

/**
 * Plain JSON all the way down: what an event or a remembered answer may hold. Only plain
 * objects: a Date, URL or Map has no own enumerable members, so it would hash as `{}` while
 * JSON.stringify stores something else (or nothing).
 */
export const isJsonObject = (value: unknown): value is JsonObject => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const [key, member] of Object.entries(value)) {
    if (!isStorableString(key) || (member !== undefined && !isJson(member))) return false;
  }
  return true;
};

/**
 * Checks what domain events carry before it is stored: a bigint or a Date left in event data
 * is a bug to fail on here, not a silent `{}` in the log forever; a string Postgres cannot
 * store would fail the append and send every command sharing its batch to retry alone.
 */
export const toJsonObject = (value: object, what: string): JsonObject => {
  if (!isJsonObject(value)) throw new TypeError(`${what} is not plain JSON`);
  return value;
};
