import type {
  AccountEvent,
  CloseAccount,
  Currency,
  DepositFunds,
  FreezeAccount,
  OpenAccount,
  UnfreezeAccount,
  WithdrawFunds,
} from '../../src/index.js';
import { fixedId } from './given.js';

/** Test builders for account events and commands; ids are fixed so expectations are literal. */
export const accountId = '11111111-1111-4111-8111-111111111111';
export const entryId = '22222222-2222-4222-8222-222222222222';

const currency: Currency = 'EUR';
export const details = { accountId, name: 'Operating', currency, allowOverdraft: false };

export const opened = (overrides: Partial<OpenAccount['data']> = {}): AccountEvent => ({
  type: 'AccountOpened',
  version: 1,
  data: { ...details, ...overrides },
});

/** A deposit as decide emits it with the fixed ctx's first id. */
export const deposited = (amount: string, balanceAfter: string): AccountEvent => ({
  type: 'FundsDeposited',
  version: 1,
  data: { accountId, entryId: fixedId(1), amount, currency: 'EUR', balanceAfter },
});

export const withdrawn = (amount: string, balanceAfter: string): AccountEvent => ({
  type: 'FundsWithdrawn',
  version: 1,
  data: { accountId, entryId: fixedId(1), amount, currency: 'EUR', balanceAfter },
});

export const frozen: AccountEvent = { type: 'AccountFrozen', version: 1, data: { accountId } };
export const unfrozen: AccountEvent = { type: 'AccountUnfrozen', version: 1, data: { accountId } };
export const closed: AccountEvent = { type: 'AccountClosed', version: 1, data: { accountId } };

type Extra = { reference?: string; entryId?: string };

export const open = (overrides: Partial<OpenAccount['data']> = {}): OpenAccount => ({
  type: 'OpenAccount',
  data: { ...details, ...overrides },
});
export const deposit = (amount: bigint, extra: Extra = {}): DepositFunds => ({
  type: 'DepositFunds',
  data: { accountId, amount, ...extra },
});
export const withdraw = (amount: bigint, extra: Extra = {}): WithdrawFunds => ({
  type: 'WithdrawFunds',
  data: { accountId, amount, ...extra },
});

const withReason = (reason: string | undefined) =>
  reason === undefined ? { accountId } : { accountId, reason };

export const freeze = (reason?: string): FreezeAccount => ({
  type: 'FreezeAccount',
  data: withReason(reason),
});
export const unfreeze = (reason?: string): UnfreezeAccount => ({
  type: 'UnfreezeAccount',
  data: withReason(reason),
});
export const close = (reason?: string): CloseAccount => ({
  type: 'CloseAccount',
  data: withReason(reason),
});
