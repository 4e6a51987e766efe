import type { Json, JsonObject } from '@techflow/platform';

const isJson = (value: unknown): value is Json => {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return Array.isArray(value) ? value.every(isJson) : isJsonObject(value);
    default:
      return false;
  }
};

/** Plain JSON all the way down: what an event or a remembered answer may hold. */
export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => v === undefined || isJson(v));

/**
 * Checks what domain events carry before it is stored: a bigint or a Date left in event data
 * is a bug to fail on here, not a silent `{}` in the log forever.
 */
export const toJsonObject = (value: object, what: string): JsonObject => {
  if (!isJsonObject(value)) throw new TypeError(`${what} is not plain JSON`);
  return value;
};
