import { type Static, Type } from '@sinclair/typebox';
import { CURRENCY_CODES } from './currencies.js';

/**
 * A positive amount in minor units, as the API carries it: 1 to 19 decimal digits, no sign,
 * no leading zero. 19 digits is the API's limit; sums of them stay exact because code holds
 * money as bigint and SQL as numeric.
 */
export const AmountString = Type.String({
  pattern: '^[1-9][0-9]{0,18}$',
  description: 'Amount in minor units as a string of 1 to 19 digits, e.g. "12500" = 125.00 EUR',
  examples: ['12500'],
});

/** A balance in minor units, as the API answers it: may be zero or negative. */
export const BalanceString = Type.String({
  pattern: '^-?(0|[1-9][0-9]*)$',
  description: 'Balance in minor units; negative balances start with "-"',
  examples: ['12500', '-300', '0'],
});

export const Currency = Type.Union(
  CURRENCY_CODES.map((c) => Type.Literal(c)),
  { description: 'ISO 4217 currency code', examples: ['EUR'] },
);
export type Currency = Static<typeof Currency>;

export const isCurrency = (code: string): code is Currency =>
  (CURRENCY_CODES as readonly string[]).includes(code);

/** bigint -> the API's decimal string. */
export const formatMinor = (amount: bigint): string => amount.toString(10);

/** The API's decimal string -> bigint; the schema has already checked the digits. */
export const parseMinor = (amount: string): bigint => BigInt(amount);

/** The largest amount with 19 digits, the API's limit for one movement. */
export const MAX_AMOUNT = 9_999_999_999_999_999_999n;

/** Whether an amount may be moved at once: positive and at most 19 digits. */
export const isAmountInRange = (amount: bigint): boolean => amount > 0n && amount <= MAX_AMOUNT;
