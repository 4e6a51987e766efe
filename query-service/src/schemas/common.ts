import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ProblemDetails } from '@techflow/platform/http';

/** A `$ref` to a schema registered with `app.addSchema`, typed as the schema it names. */
export const ref = <T extends TSchema>(schema: T) => {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
};

/** Any case, with or without a `urn:uuid:` prefix (ajv's `uuid` format); see canonicalUuid. */
export const Uuid = Type.String({ format: 'uuid' });

/**
 * Every route hands ids on as Postgres prints them (canonicalUuid). Postgres compares upper
 * case as equal but refuses the `urn:uuid:` prefix, so a prefixed id passed through answered
 * 500, and an upper-case one missed its row where rows are matched by their printed text.
 */
export { canonicalUuid } from '@techflow/domain';

/** A global event-store position, as JSON carries it. */
export const PositionString = Type.String({
  pattern: '^(0|[1-9][0-9]{0,18})$',
  description: 'Global position in the event store, a decimal string',
  examples: ['1042'],
});

/** Positions are Postgres bigint: 19 digits can say more, and only a forgery would. */
export const MAX_POSITION = 9_223_372_036_854_775_807n;

/** For routes that take no query parameters: every one sent is refused, not ignored. */
export { NoQuery } from '@techflow/platform/http';

/** Decimal digits only (`1e1`, `0x10`, `5.0` are refused: platform's text-parameters.ts). */
export const Limit = Type.Integer({
  minimum: 1,
  maximum: 200,
  default: 50,
  description: 'Page size: a whole number from 1 to 200 in decimal digits',
  examples: [50],
});

export const Cursor = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'Opaque: the `nextCursor` of the previous page',
});

/** Every read may carry X-Min-Position (read-your-writes); other headers pass through. */
export const ReadHeaders = Type.Object({
  'x-min-position': Type.Optional(PositionString),
});

/** A single resource's read: read-your-writes and a conditional GET on its ETag. */
export const ConditionalReadHeaders = Type.Object({
  'x-min-position': Type.Optional(PositionString),
  'if-none-match': Type.Optional(
    Type.String({
      description: 'ETags from an earlier answer (or *): 304 with no body while one still matches',
    }),
  ),
});

/** No body, and so no Content-Length a proxy would wait on: send it with `send()`. */
export const NotModified = Type.Unsafe<undefined>({
  description: 'Not modified: If-None-Match holds the current ETag',
});

/** The error answers every authenticated read can give. */
export const readErrors = {
  400: ref(ProblemDetails),
  401: ref(ProblemDetails),
  403: ref(ProblemDetails),
  429: ref(ProblemDetails),
  503: ref(ProblemDetails),
} as const;
