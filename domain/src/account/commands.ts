import { type Static, Type } from '@sinclair/typebox';
import { commandSchema } from '../shared/command.js';
import { Label } from '../shared/formats.js';
import { Currency, MAX_AMOUNT } from '../shared/money.js';

const Uuid = Type.String({ format: 'uuid' });
const Reason = Type.Optional(Type.String({ maxLength: 500 }));

/** The schema documents the range; decide enforces it too, since amounts may be computed. */
const Amount = Type.BigInt({ minimum: 1n, maximum: MAX_AMOUNT });

const Movement = Type.Object({
  accountId: Uuid,
  amount: Amount,
  reference: Type.Optional(Label(200)),
  /** Client- or process-chosen id of the ledger entry; a fresh one when absent. */
  entryId: Type.Optional(Uuid),
});

export const OpenAccount = commandSchema(
  'OpenAccount',
  Type.Object({
    accountId: Uuid,
    name: Label(200),
    currency: Currency,
    allowOverdraft: Type.Boolean(),
  }),
  'Open a ledger account at a zero balance; idempotent on the same id and details.',
);

export const DepositFunds = commandSchema(
  'DepositFunds',
  Movement,
  "Move money in from the tenant's external account.",
);

export const WithdrawFunds = commandSchema(
  'WithdrawFunds',
  Movement,
  "Move money out to the tenant's external account.",
);

export const FreezeAccount = commandSchema(
  'FreezeAccount',
  Type.Object({ accountId: Uuid, reason: Reason }),
  'Stop deposits and withdrawals until unfrozen.',
);

export const UnfreezeAccount = commandSchema(
  'UnfreezeAccount',
  Type.Object({ accountId: Uuid, reason: Reason }),
  'Let a frozen account move money again.',
);

export const CloseAccount = commandSchema(
  'CloseAccount',
  Type.Object({ accountId: Uuid, reason: Reason }),
  'Close an account whose balance is zero, for good.',
);

export const AccountCommandSchemas = [
  OpenAccount,
  DepositFunds,
  WithdrawFunds,
  FreezeAccount,
  UnfreezeAccount,
  CloseAccount,
] as const;

export type OpenAccount = Static<typeof OpenAccount>;
export type DepositFunds = Static<typeof DepositFunds>;
export type WithdrawFunds = Static<typeof WithdrawFunds>;
export type FreezeAccount = Static<typeof FreezeAccount>;
export type UnfreezeAccount = Static<typeof UnfreezeAccount>;
export type CloseAccount = Static<typeof CloseAccount>;

export type AccountCommand =
  | OpenAccount
  | DepositFunds
  | WithdrawFunds
  | FreezeAccount
  | UnfreezeAccount
  | CloseAccount;
