import { parseMinor } from '../shared/money.js';
import type { AccountEvent } from './events.js';
import type { AccountState } from './state.js';

/**
 * Folds one stored event into the state. Events are facts: a movement's balanceAfter is taken
 * as recorded rather than recomputed, and an event that cannot apply (nothing before
 * AccountOpened) leaves the state as it is instead of throwing on history.
 */
export const evolveAccount = (state: AccountState, event: AccountEvent): AccountState => {
  if (event.type === 'AccountOpened') {
    const { accountId, name, currency, allowOverdraft } = event.data;
    return { status: 'open', accountId, name, currency, allowOverdraft, balance: 0n };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'FundsDeposited':
    case 'FundsWithdrawn':
      return { ...state, balance: parseMinor(event.data.balanceAfter) };
    case 'AccountFrozen':
      return { ...state, status: 'frozen' };
    case 'AccountUnfrozen':
      return { ...state, status: 'open' };
    case 'AccountClosed':
      return { ...state, status: 'closed' };
    default:
      return state;
  }
};
