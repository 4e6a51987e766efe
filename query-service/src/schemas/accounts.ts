import { Type } from '@sinclair/typebox';
import { AmountString, BalanceString, Currency } from '@techflow/domain';
import { Cursor, Limit, PositionString, Uuid } from './common.js';

export const AccountStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('frozen'),
  Type.Literal('closed'),
]);

export const AccountKind = Type.Union([Type.Literal('customer'), Type.Literal('external')], {
  description: '`external` is the tenant settlement account of a currency',
});

export const AccountView = Type.Object(
  {
    accountId: Uuid,
    name: Type.String(),
    currency: Type.String({ description: 'ISO 4217 code' }),
    balance: BalanceString,
    available: BalanceString,
    pending: BalanceString,
    status: AccountStatus,
    allowOverdraft: Type.Boolean(),
    updatedAt: Type.String({ format: 'date-time' }),
    kind: AccountKind,
  },
  { $id: 'Account' },
);

export const EntryKind = Type.Union([Type.Literal('deposit'), Type.Literal('withdrawal')], {
  description:
    'Which way the line moved the balance: a deposit added its amount, a withdrawal took it',
});

export const EntryView = Type.Object(
  {
    entryId: Uuid,
    position: PositionString,
    kind: EntryKind,
    amount: AmountString,
    balanceAfter: BalanceString,
    transferId: Type.Optional(Uuid),
    reference: Type.Optional(Type.String()),
    at: Type.String({ format: 'date-time' }),
  },
  { $id: 'AccountEntry' },
);

export const ListAccountsQuery = Type.Object(
  {
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
    status: Type.Optional(AccountStatus),
    currency: Type.Optional(Currency),
    kind: Type.Optional(AccountKind),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const AccountParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const BalanceQuery = Type.Object(
  {
    at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'ISO-8601 instant with offset; defaults to now',
      }),
    ),
  },
  { additionalProperties: false },
);

export const BalanceView = Type.Object({
  balance: BalanceString,
  available: BalanceString,
  at: Type.String({ format: 'date-time' }),
});
