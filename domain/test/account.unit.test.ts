import t from 'tap';
import { Account, type AccountEvent, MAX_AMOUNT } from '../src/index.js';
import {
  accountId,
  close,
  closed,
  deposit,
  deposited,
  entryId,
  freeze,
  frozen,
  open,
  opened,
  unfreeze,
  unfrozen,
  withdraw,
  withdrawn,
} from './helpers/account.js';
import { fixedId, given } from './helpers/given.js';

const on = (history: AccountEvent[]) => given(Account, history);

t.test('a decider over the "account" category, starting from no account', async (t) => {
  t.equal(Account.category, 'account');
  t.same(Account.initialState(), { status: 'none' });
});

t.test('no account yet', async (t) => {
  t.test('opens at a zero balance', async (t) => on([]).when(open()).thenEmits(t, [opened()]));
  for (const command of [deposit(1n), withdraw(1n), freeze(), unfreeze(), close()]) {
    t.test(`refuses ${command.type}`, async (t) =>
      on([]).when(command).thenThrows(t, 'account_not_found'),
    );
  }
});

t.test('open account', async (t) => {
  const history = [opened()];
  t.test('opening again with the same details changes nothing', async (t) =>
    on(history).when(open()).thenEmits(t, []),
  );
  for (const change of [
    { name: 'Other' },
    { currency: 'USD' as const },
    { allowOverdraft: true },
  ]) {
    t.test(`opening again with another ${Object.keys(change)[0]} is refused`, async (t) =>
      on(history).when(open(change)).thenThrows(t, 'account_already_exists'),
    );
  }
  t.test('a deposit raises the balance, with a fresh entry id', async (t) =>
    on([...history, deposited('100', '100')])
      .when(deposit(250n))
      .thenEmits(t, [deposited('250', '350')]),
  );
  t.test('a deposit keeps the entry id and reference it is given', async (t) =>
    on(history)
      .when(deposit(5n, { entryId, reference: 'INV-7' }))
      .thenEmits(t, [
        {
          type: 'FundsDeposited',
          version: 1,
          data: {
            accountId,
            entryId,
            amount: '5',
            currency: 'EUR',
            balanceAfter: '5',
            reference: 'INV-7',
          },
        },
      ]),
  );
  t.test('the largest 19-digit amount is accepted', async (t) =>
    on(history)
      .when(deposit(MAX_AMOUNT))
      .thenEmits(t, [deposited(String(MAX_AMOUNT), String(MAX_AMOUNT))]),
  );
  for (const amount of [0n, -1n, MAX_AMOUNT + 1n]) {
    t.test(`a deposit of ${amount} is out of range`, async (t) =>
      on(history).when(deposit(amount)).thenThrows(t, 'amount_out_of_range'),
    );
    t.test(`a withdrawal of ${amount} is out of range`, async (t) =>
      on([...history, deposited('10', '10')])
        .when(withdraw(amount))
        .thenThrows(t, 'amount_out_of_range'),
    );
  }
  t.test('a withdrawal lowers the balance', async (t) =>
    on([...history, deposited('100', '100')])
      .when(withdraw(30n, { reference: 'rent' }))
      .thenEmits(t, [
        {
          type: 'FundsWithdrawn',
          version: 1,
          data: {
            accountId,
            entryId: fixedId(1),
            amount: '30',
            currency: 'EUR',
            balanceAfter: '70',
            reference: 'rent',
          },
        },
      ]),
  );
  t.test('a withdrawal may empty the account', async (t) =>
    on([...history, deposited('100', '100')])
      .when(withdraw(100n))
      .thenEmits(t, [withdrawn('100', '0')]),
  );
  t.test('a withdrawal below zero is refused without overdraft', async (t) =>
    on([...history, deposited('100', '100')])
      .when(withdraw(101n))
      .thenThrows(t, 'insufficient_funds'),
  );
  t.test('an overdraft account may go below zero', async (t) =>
    on([opened({ allowOverdraft: true })])
      .when(withdraw(40n))
      .thenEmits(t, [withdrawn('40', '-40')]),
  );
  t.test('freezes, with or without a reason', async (t) => {
    on(history).when(freeze()).thenEmits(t, [frozen]);
    on(history)
      .when(freeze('fraud check'))
      .thenEmits(t, [
        { type: 'AccountFrozen', version: 1, data: { accountId, reason: 'fraud check' } },
      ]);
  });
  t.test('unfreezing an account that is not frozen is refused', async (t) =>
    on(history).when(unfreeze()).thenThrows(t, 'account_not_frozen'),
  );
  t.test('closes at a zero balance', async (t) => {
    on(history).when(close()).thenEmits(t, [closed]);
    on([...history, deposited('5', '5'), withdrawn('5', '0')])
      .when(close('moved'))
      .thenEmits(t, [{ type: 'AccountClosed', version: 1, data: { accountId, reason: 'moved' } }]);
  });
  t.test('does not close holding money or debt', async (t) => {
    on([...history, deposited('5', '5')])
      .when(close())
      .thenThrows(t, 'balance_not_zero');
    on([opened({ allowOverdraft: true }), withdrawn('5', '-5')])
      .when(close())
      .thenThrows(t, 'balance_not_zero');
  });
});

t.test('frozen account', async (t) => {
  const history = [opened(), deposited('100', '100'), frozen];
  t.test('opening again with the same details changes nothing', async (t) =>
    on(history).when(open()).thenEmits(t, []),
  );
  t.test('refuses deposits and withdrawals', async (t) => {
    on(history).when(deposit(1n)).thenThrows(t, 'account_frozen');
    on(history).when(withdraw(1n)).thenThrows(t, 'account_frozen');
  });
  t.test('freezing again is refused', async (t) =>
    on(history).when(freeze()).thenThrows(t, 'account_already_frozen'),
  );
  t.test('unfreezes, with or without a reason', async (t) => {
    on(history).when(unfreeze()).thenEmits(t, [unfrozen]);
    on(history)
      .when(unfreeze('cleared'))
      .thenEmits(t, [
        { type: 'AccountUnfrozen', version: 1, data: { accountId, reason: 'cleared' } },
      ]);
  });
  t.test('moves money again once unfrozen', async (t) =>
    on([...history, unfrozen])
      .when(withdraw(100n))
      .thenEmits(t, [withdrawn('100', '0')]),
  );
  t.test('closes only at a zero balance', async (t) => {
    on(history).when(close()).thenThrows(t, 'balance_not_zero');
    on([opened(), frozen]).when(close()).thenEmits(t, [closed]);
  });
});

t.test('closed account refuses everything', async (t) => {
  const history = [opened(), closed];
  for (const command of [open(), deposit(1n), withdraw(1n), freeze(), unfreeze(), close()]) {
    t.test(`refuses ${command.type}`, async (t) =>
      on(history).when(command).thenThrows(t, 'account_closed'),
    );
  }
});
