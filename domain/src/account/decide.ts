import type { DecideContext } from '../shared/context.js';
import { DomainError } from '../shared/errors.js';
import { formatMinor, isAmountInRange, MAX_AMOUNT } from '../shared/money.js';
import { unreachable } from '../shared/unreachable.js';
import type {
  AccountCommand,
  CloseAccount,
  DepositFunds,
  FreezeAccount,
  OpenAccount,
  UnfreezeAccount,
  WithdrawFunds,
} from './commands.js';
import type {
  AccountClosed,
  AccountEvent,
  AccountFrozen,
  AccountOpened,
  AccountUnfrozen,
  FundsDeposited,
  FundsWithdrawn,
} from './events.js';
import type { AccountState, ExistingAccount } from './state.js';

type OpenState = Extract<AccountState, { status: 'open' }>;

// The messages are the problem's `detail`: what a person reading the answer needs to act on.
const CLOSED = 'The account is closed: it takes no more commands';

/** Every command but OpenAccount needs an account that was opened and not closed since. */
const notClosed = (state: AccountState): Exclude<ExistingAccount, { status: 'closed' }> => {
  if (state.status === 'none') throw new DomainError('account_not_found', 'No such account');
  if (state.status === 'closed') throw new DomainError('account_closed', CLOSED);
  return state;
};

/** Money moves only through an open account. */
const movable = (state: AccountState): OpenState => {
  const account = notClosed(state);
  if (account.status === 'frozen') {
    throw new DomainError('account_frozen', 'The account is frozen: unfreeze it to move money');
  }
  return account;
};

const checkAmount = (amount: bigint): void => {
  if (!isAmountInRange(amount)) {
    throw new DomainError(
      'amount_out_of_range',
      `The amount must be from 1 to ${formatMinor(MAX_AMOUNT)} minor units`,
    );
  }
};

/**
 * A balance has at most 19 digits, as an amount does (API.md): clients keep money in 64-bit
 * integers, and a 20-digit balance would break them on read.
 */
const checkBalance = (
  verb: string,
  amount: bigint,
  account: OpenState,
  balanceAfter: bigint,
): void => {
  if (balanceAfter <= MAX_AMOUNT && balanceAfter >= -MAX_AMOUNT) return;
  throw new DomainError(
    'amount_out_of_range',
    `${verb} ${formatMinor(amount)} would take the balance from ${formatMinor(account.balance)} ` +
      `to ${formatMinor(balanceAfter)} ${account.currency} (minor units), past the 19 digits a ` +
      'balance may have',
  );
};

// Optional fields are left out rather than set to undefined: events are stored as JSON.
const reasonOf = (reason: string | undefined) => (reason === undefined ? {} : { reason });

const openAccount = ({ data }: OpenAccount, state: AccountState): AccountOpened[] => {
  if (state.status === 'none') {
    const { accountId, name, currency, allowOverdraft } = data;
    return [
      { type: 'AccountOpened', version: 1, data: { accountId, name, currency, allowOverdraft } },
    ];
  }
  if (state.status === 'closed') throw new DomainError('account_closed', CLOSED);
  // Clients choose account ids, so a retried creation must succeed without a second event.
  const same =
    state.name === data.name &&
    state.currency === data.currency &&
    state.allowOverdraft === data.allowOverdraft;
  if (same) return [];
  throw new DomainError(
    'account_already_exists',
    'An account with this id exists with another name, currency or overdraft setting',
  );
};

/** The ledger entry both movements record; the event type says its direction. */
const entry = (
  account: OpenState,
  data: DepositFunds['data'] | WithdrawFunds['data'],
  balanceAfter: bigint,
  ctx: DecideContext,
) => ({
  accountId: account.accountId,
  entryId: data.entryId ?? ctx.newId(),
  amount: formatMinor(data.amount),
  currency: account.currency,
  balanceAfter: formatMinor(balanceAfter),
  ...(data.reference === undefined ? {} : { reference: data.reference }),
});

const depositFunds = (
  { data }: DepositFunds,
  state: AccountState,
  ctx: DecideContext,
): FundsDeposited[] => {
  const account = movable(state);
  checkAmount(data.amount);
  const balanceAfter = account.balance + data.amount;
  checkBalance('Depositing', data.amount, account, balanceAfter);
  return [{ type: 'FundsDeposited', version: 1, data: entry(account, data, balanceAfter, ctx) }];
};

/** Only an overdraft account may go below zero; nothing limits how far (no credit line yet). */
const withdrawFunds = (
  { data }: WithdrawFunds,
  state: AccountState,
  ctx: DecideContext,
): FundsWithdrawn[] => {
  const account = movable(state);
  checkAmount(data.amount);
  const balanceAfter = account.balance - data.amount;
  checkBalance('Withdrawing', data.amount, account, balanceAfter);
  if (balanceAfter < 0n && !account.allowOverdraft) {
    throw new DomainError(
      'insufficient_funds',
      `Withdrawing ${formatMinor(data.amount)} would take the balance from ` +
        `${formatMinor(account.balance)} to ${formatMinor(balanceAfter)} ${account.currency} ` +
        '(minor units); this account allows no overdraft',
    );
  }
  return [{ type: 'FundsWithdrawn', version: 1, data: entry(account, data, balanceAfter, ctx) }];
};

const freezeAccount = ({ data }: FreezeAccount, state: AccountState): AccountFrozen[] => {
  const account = notClosed(state);
  if (account.status === 'frozen') {
    throw new DomainError('account_already_frozen', 'The account is already frozen');
  }
  const event = { accountId: account.accountId, ...reasonOf(data.reason) };
  return [{ type: 'AccountFrozen', version: 1, data: event }];
};

const unfreezeAccount = ({ data }: UnfreezeAccount, state: AccountState): AccountUnfrozen[] => {
  const account = notClosed(state);
  if (account.status === 'open') {
    throw new DomainError('account_not_frozen', 'The account is not frozen');
  }
  const event = { accountId: account.accountId, ...reasonOf(data.reason) };
  return [{ type: 'AccountUnfrozen', version: 1, data: event }];
};

/** Closing at a non-zero balance would strand money (or debt) where nothing can move it. */
const closeAccount = ({ data }: CloseAccount, state: AccountState): AccountClosed[] => {
  const account = notClosed(state);
  if (account.balance !== 0n) {
    throw new DomainError(
      'balance_not_zero',
      `The balance is ${formatMinor(account.balance)} ${account.currency} (minor units); ` +
        'an account closes only at zero',
    );
  }
  const event = { accountId: account.accountId, ...reasonOf(data.reason) };
  return [{ type: 'AccountClosed', version: 1, data: event }];
};

export const decideAccount = (
  command: AccountCommand,
  state: AccountState,
  ctx: DecideContext,
): AccountEvent[] => {
  switch (command.type) {
    case 'OpenAccount':
      return openAccount(command, state);
    case 'DepositFunds':
      return depositFunds(command, state, ctx);
    case 'WithdrawFunds':
      return withdrawFunds(command, state, ctx);
    case 'FreezeAccount':
      return freezeAccount(command, state);
    case 'UnfreezeAccount':
      return unfreezeAccount(command, state);
    case 'CloseAccount':
      return closeAccount(command, state);
    default:
      return unreachable(command, 'account command');
  }
};
