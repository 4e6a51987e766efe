import type { RecordedEvent } from '@techflow/platform';
import type { Projection } from '../../src/projection.js';
import { accountsProjection } from '../../src/projections/accounts.js';

/**
 * The accounts projection, failing on one event while `state.broken`: a bug the operators
 * fix and deploy, which the real projection cannot be made to have.
 */
export function failingOn(eventId: string, state: { broken: boolean }): Projection {
  const check = (events: readonly RecordedEvent[]) => {
    if (state.broken && events.some((e) => e.eventId === eventId)) {
      throw new Error(`cannot apply ${eventId}`);
    }
  };
  return {
    ...accountsProjection,
    async apply(trx, events) {
      check(events);
      await accountsProjection.apply(trx, events);
    },
    applyInOneStatement(events, step) {
      check(events);
      return accountsProjection.applyInOneStatement?.(events, step) ?? null;
    },
  };
}
