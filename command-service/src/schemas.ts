import { Type } from '@sinclair/typebox';
import { UUID_PATTERN } from '@techflow/domain';
import { OPTIONAL_BODY } from '@techflow/platform/http';

/** A UUID as answers give it: canonical, lower case (see UuidInput for what requests may send). */
export const Uuid = Type.String({
  format: 'uuid',
  pattern: UUID_PATTERN.source,
  examples: ['0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f70'],
});

/**
 * An id a request carries: any case, with or without `urn:uuid:` (ajv's `uuid` format), as the
 * query service takes it. Routes pass it through canonicalUuid before it names a stream, so
 * `0B9F…` and `0b9f…` are one account, and answers give the canonical form.
 */
export const UuidInput = Type.String({
  format: 'uuid',
  description: 'A UUID in any case, optionally `urn:uuid:`-prefixed; answered in lower case',
  examples: ['0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f70'],
});

/** The event store's global position of the command's last event: read-your-writes token. */
export const Position = Type.String({
  pattern: '^(0|[1-9][0-9]*)$',
  description: 'Global position (decimal) of the last event this command appended',
  examples: ['1042'],
});

export const Reason = Type.String({ minLength: 1, maxLength: 500 });

/** Optional as a whole too: the routes taking it treat no body as `{}` (no reason). */
export const ReasonBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false, [OPTIONAL_BODY]: true },
);

export const PositionAnswer = Type.Object({ position: Position }, { additionalProperties: false });

export const ProblemRef = Type.Ref('ProblemDetails');
