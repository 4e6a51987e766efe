import { Type } from '@sinclair/typebox';
import { PositionString } from './common.js';

export const ProjectionView = Type.Object(
  {
    name: Type.String(),
    position: PositionString,
    lag: PositionString,
    status: Type.Union([
      Type.Literal('running'),
      Type.Literal('rebuilding'),
      Type.Literal('stopped'),
      Type.Literal('failed'),
    ]),
    eventsPerSecond: Type.Number({
      description: 'Checkpoint advance per second over the last minute seen by this instance',
    }),
    tenantHeldThrough: Type.Optional(
      Type.String({
        pattern: PositionString.pattern,
        description:
          'Present when this projection holds the caller’s organization back (one of its ' +
          'events could not be applied; the projectors replay it at start and every few ' +
          'minutes): the position through which its read model is complete. How many ' +
          'organizations are held is for operators (projection_held_tenants), not here',
      }),
    ),
    lastError: Type.Optional(
      Type.String({
        description:
          'Present when the projection stopped at an event it could not apply. It says so ' +
          'without naming the event or the error, which may be another tenant’s: operators ' +
          'find both in projections.dead_letters and the projectors’ log',
      }),
    ),
  },
  { $id: 'Projection' },
);
