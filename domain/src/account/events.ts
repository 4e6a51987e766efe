import { type Static, Type } from '@sinclair/typebox';
import { eventSchema } from '../shared/event.js';
import { AmountString, BalanceString, Currency } from '../shared/money.js';

const Uuid = Type.String({ format: 'uuid' });
const Reason = Type.Optional(Type.String({ maxLength: 500 }));

export const AccountOpened = eventSchema(
  'AccountOpened',
  1,
  Type.Object({
    accountId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency: Currency,
    allowOverdraft: Type.Boolean(),
  }),
  'A ledger account was opened with a zero balance.',
);

export const FundsDeposited = eventSchema(
  'FundsDeposited',
  1,
  Type.Object({
    accountId: Uuid,
    entryId: Uuid,
    amount: AmountString,
    currency: Currency,
    balanceAfter: BalanceString,
    reference: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  "Money came in from the tenant's external settlement account for the currency.",
);

export const FundsWithdrawn = eventSchema(
  'FundsWithdrawn',
  1,
  Type.Object({
    accountId: Uuid,
    entryId: Uuid,
    amount: AmountString,
    currency: Currency,
    balanceAfter: BalanceString,
    reference: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  "Money went out to the tenant's external settlement account for the currency.",
);

export const AccountFrozen = eventSchema(
  'AccountFrozen',
  1,
  Type.Object({ accountId: Uuid, reason: Reason }),
  'The account stopped accepting withdrawals and deposits until unfrozen.',
);

export const AccountUnfrozen = eventSchema(
  'AccountUnfrozen',
  1,
  Type.Object({ accountId: Uuid, reason: Reason }),
  'A frozen account accepts movements again.',
);

export const AccountClosed = eventSchema(
  'AccountClosed',
  1,
  Type.Object({ accountId: Uuid, reason: Reason }),
  'The account was closed at a zero balance; it accepts nothing more.',
);

export const AccountEventSchemas = [
  AccountOpened,
  FundsDeposited,
  FundsWithdrawn,
  AccountFrozen,
  AccountUnfrozen,
  AccountClosed,
] as const;

export type AccountOpened = Static<typeof AccountOpened>;
export type FundsDeposited = Static<typeof FundsDeposited>;
export type FundsWithdrawn = Static<typeof FundsWithdrawn>;
export type AccountFrozen = Static<typeof AccountFrozen>;
export type AccountUnfrozen = Static<typeof AccountUnfrozen>;
export type AccountClosed = Static<typeof AccountClosed>;

export type AccountEvent =
  | AccountOpened
  | FundsDeposited
  | FundsWithdrawn
  | AccountFrozen
  | AccountUnfrozen
  | AccountClosed;

/** Stream category of account streams: `account-<tenantId>:<accountId>`. */
export const ACCOUNT_CATEGORY = 'account';
