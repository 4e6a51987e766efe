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
    heldTenants: Type.Integer({
      minimum: 0,
      description:
        'Organizations this projection holds back: one of their events could not be applied, ' +
        'so their events wait (and their reads stay where their read model is complete) while ' +
        'every other organization’s go on. A restart of the projectors replays them. Which ' +
        'ones, and why, is in projections.held_tenants and the projectors’ log',
    }),
    tenantHeldThrough: Type.Optional(
      Type.String({
        pattern: PositionString.pattern,
        description:
          'Present when this projection holds the caller’s organization back: the position ' +
          'through which its read model is complete',
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
