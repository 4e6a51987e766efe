import { Type } from '@sinclair/typebox';
import { UUID_PATTERN } from '@techflow/domain';

/**
 * Canonical UUIDs only (ajv's `uuid` format also takes `urn:uuid:`): ids become part of
 * stream names, which are parsed as exactly 36 characters.
 */
export const Uuid = Type.String({
  format: 'uuid',
  pattern: UUID_PATTERN.source,
  examples: ['0b9f1c3e-4f55-4d0e-9a4b-6a3c1e2d5f70'],
});

/** The event store's global position of the command's last event: read-your-writes token. */
export const Position = Type.String({
  pattern: '^(0|[1-9][0-9]*)$',
  description: 'Global position (decimal) of the last event this command appended',
  examples: ['1042'],
});

export const Reason = Type.String({ minLength: 1, maxLength: 500 });

export const ReasonBody = Type.Object(
  { reason: Type.Optional(Reason) },
  { additionalProperties: false },
);

export const PositionAnswer = Type.Object({ position: Position }, { additionalProperties: false });

export const ProblemRef = Type.Ref('ProblemDetails');
