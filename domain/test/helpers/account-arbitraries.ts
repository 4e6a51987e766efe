import fc from 'fast-check';
import { type AccountCommand, MAX_AMOUNT } from '../../src/index.js';
import { close, deposit, freeze, open, unfreeze, withdraw } from './account.js';

/** Mostly small amounts, so withdrawals often fit, with the edges of the range mixed in. */
export const amount = fc.oneof(
  { arbitrary: fc.bigInt(1n, 1_000n), weight: 8 },
  { arbitrary: fc.bigInt(-2n, 2n), weight: 1 },
  { arbitrary: fc.bigInt(MAX_AMOUNT - 2n, MAX_AMOUNT + 2n), weight: 1 },
);

const reason = fc.option(fc.string({ maxLength: 500 }), { nil: undefined });
const extra = fc.record(
  {
    reference: fc.string({ maxLength: 200 }),
    entryId: fc.uuid(),
  },
  { requiredKeys: [] },
);

/** The same details again (idempotent) or another name (a conflict). */
const reopen = fc
  .option(fc.string({ minLength: 1, maxLength: 200 }), { nil: undefined })
  .map((name) => (name === undefined ? open() : open({ name })));

/** Any account command for the test account, valid or not in whatever state it meets. */
export const accountCommand: fc.Arbitrary<AccountCommand> = fc.oneof(
  { arbitrary: fc.tuple(amount, extra).map(([a, e]) => deposit(a, e)), weight: 6 },
  { arbitrary: fc.tuple(amount, extra).map(([a, e]) => withdraw(a, e)), weight: 6 },
  { arbitrary: reason.map(freeze), weight: 1 },
  { arbitrary: reason.map(unfreeze), weight: 1 },
  { arbitrary: reason.map(close), weight: 1 },
  { arbitrary: reopen, weight: 1 },
);
