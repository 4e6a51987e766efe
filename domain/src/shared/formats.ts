import { FormatRegistry } from '@sinclair/typebox';

/**
 * Canonical 36-character UUIDs only: ids become part of stream names, which
 * parseStreamName reads as exactly 36 characters, so `urn:uuid:` prefixes are refused.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/**
 * A UUID as the system keeps it: lower case, no `urn:uuid:` prefix (Postgres's printed form,
 * and the only form stream names hold). UUIDs are case-insensitive (RFC 9562), so every id a
 * request carries goes through this before it names anything; an id that is not a UUID in
 * one of the forms ajv's `uuid` format takes comes out unchanged, not a UUID.
 */
export const canonicalUuid = (id: string): string => id.toLowerCase().replace(/^urn:uuid:/, '');

/** The same expression as ajv-formats' "full" email, so the domain and Fastify agree. */
export const EMAIL_PATTERN =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/**
 * TypeBox's `Value.Check` fails every value of an unknown format, so anything checking domain
 * schemas with it (tests, the relay, the event catalog) calls this once first. Idempotent.
 */
export const registerFormats = (): void => {
  FormatRegistry.Set('uuid', (value) => UUID_PATTERN.test(value));
  FormatRegistry.Set('email', (value) => EMAIL_PATTERN.test(value));
};
