import { FormatRegistry, Type } from '@sinclair/typebox';

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
 * Text people read where others see it (names, references): something visible, and nothing
 * that changes how the text around it displays. C0/C1 controls (line breaks, tabs, escapes),
 * bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069, which can
 * make "gro.evil" read as "live.org"), line and paragraph separators, zero-width space and
 * byte-order marks are refused. Joiners (U+200C, U+200D) stay: scripts and emoji need them.
 */
export const LABEL_PATTERN =
  '^(?=.*\\S)[^\\u0000-\\u001F\\u007F-\\u009F\\u200B\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069\\uFEFF]*$';

/** A label (see LABEL_PATTERN) of 1 to `maxLength` characters. */
export const Label = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: LABEL_PATTERN,
    description: `1 to ${maxLength} characters, something visible, no control or bidirectional formatting characters`,
  });

/**
 * TypeBox's `Value.Check` fails every value of an unknown format, so anything checking domain
 * schemas with it (tests, the relay, the event catalog) calls this once first. Idempotent.
 */
export const registerFormats = (): void => {
  FormatRegistry.Set('uuid', (value) => UUID_PATTERN.test(value));
  FormatRegistry.Set('email', (value) => EMAIL_PATTERN.test(value));
};
