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
    lastError: Type.Optional(Type.String()),
  },
  { $id: 'Projection' },
);
