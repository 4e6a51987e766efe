import type { Decider } from '../shared/decider.js';
import type { AccountCommand } from './commands.js';
import { decideAccount } from './decide.js';
import { ACCOUNT_CATEGORY, type AccountEvent } from './events.js';
import { evolveAccount } from './evolve.js';
import { type AccountState, initialAccountState } from './state.js';

/** The account aggregate as the command handler and the event store's aggregateStream use it. */
export const Account = {
  category: ACCOUNT_CATEGORY,
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
} as const satisfies Decider<AccountCommand, AccountEvent, AccountState>;
