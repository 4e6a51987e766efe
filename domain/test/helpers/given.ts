import { Value } from '@sinclair/typebox/value';
import type { Test } from 'tap';
import {
  type DecideContext,
  type Decider,
  type DomainErrorCode,
  type DomainEvent,
  DomainEventSchemas,
  isDomainError,
  registerFormats,
} from '../../src/index.js';

registerFormats();

export const FIXED_NOW = '2025-01-02T03:04:05.000Z';

/** The n-th id the fixed ctx hands out (1-based), a valid v4-shaped UUID. */
export const fixedId = (n: number): string =>
  `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A fresh ctx per decision, so expected ids do not depend on earlier tests. */
export const fixedContext = (): DecideContext => {
  let issued = 0;
  return { now: FIXED_NOW, newId: () => fixedId(++issued) };
};

/** Folds events from the decider's initial state, as the event store's aggregateStream does. */
export const stateAfter = <C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  events: readonly E[],
): S => events.reduce(decider.evolve, decider.initialState());

/** Schema problems of one event, looked up by its `<type>.v<version>` id; empty when valid. */
export const schemaErrors = (event: DomainEvent): string[] => {
  const schema = DomainEventSchemas.find((s) => s.$id === `${event.type}.v${event.version}`);
  if (!schema) return [`no schema for ${event.type}.v${event.version}`];
  return [...Value.Errors(schema, event)].map((e) => `${e.path}: ${e.message}`);
};

/**
 * given(decider, history).when(command).thenEmits(t, events) | .thenThrows(t, code).
 * `thenEmits` also checks every emitted event against its schema, formats included. Not
 * `then`: an object with a `then` method is a thenable, and an `await` or an async test
 * returning it would call it with resolve/reject.
 */
export const given = <C, E extends DomainEvent, S>(
  decider: Decider<C, E, S>,
  history: readonly E[],
) => ({
  when: (command: C) => {
    const run = () => decider.decide(command, stateAfter(decider, history), fixedContext());
    return {
      thenEmits: (t: Test, expected: readonly E[]): void => {
        const events = run();
        t.same(events, expected, 'emits the expected events');
        t.same(events.flatMap(schemaErrors), [], 'every event matches its schema');
      },
      thenThrows: (t: Test, code: DomainErrorCode): void => {
        try {
          const events = run();
          t.fail(`expected ${code}, got events`, { found: events });
        } catch (error) {
          t.ok(isDomainError(error), 'throws a DomainError');
          t.equal(isDomainError(error) ? error.code : String(error), code);
        }
      },
    };
  },
});
