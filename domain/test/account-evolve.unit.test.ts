import t from 'tap';
import { Account, type AccountEvent, decideAccount } from '../src/index.js';
import {
  closed,
  deposited,
  details,
  frozen,
  opened,
  unfrozen,
  withdrawn,
} from './helpers/account.js';
import { fixedContext, stateAfter } from './helpers/given.js';

t.test('state follows the history', async (t) => {
  t.same(stateAfter(Account, [opened()]), { status: 'open', ...details, balance: 0n });
  t.same(stateAfter(Account, [opened(), deposited('70', '70'), withdrawn('20', '50')]), {
    status: 'open',
    ...details,
    balance: 50n,
  });
  t.equal(stateAfter(Account, [opened(), frozen]).status, 'frozen');
  t.equal(stateAfter(Account, [opened(), frozen, unfrozen]).status, 'open');
  t.equal(stateAfter(Account, [opened(), closed]).status, 'closed');
});

t.test('the recorded balanceAfter is the balance, not a recomputation', async (t) => {
  const state = stateAfter(Account, [opened(), deposited('70', '1000')]);
  t.equal(state.status === 'open' && state.balance, 1000n);
});

t.test('evolve never throws on history it cannot apply', async (t) => {
  t.test('movements before the account was opened are ignored', async (t) =>
    t.same(stateAfter(Account, [deposited('5', '5'), frozen]), { status: 'none' }),
  );
  t.test('an event type it does not know leaves the state as it is', async (t) => {
    const newer: AccountEvent = JSON.parse('{"type":"AccountRenamed","version":1,"data":{}}');
    const before = stateAfter(Account, [opened()]);
    t.equal(Account.evolve(before, newer), before);
  });
});

t.test('a command decide does not know is a TypeError naming it', async (t) => {
  t.throws(
    () =>
      decideAccount(
        JSON.parse('{"type":"RenameAccount","data":{}}'),
        Account.initialState(),
        fixedContext(),
      ),
    new TypeError('unknown account command: RenameAccount'),
  );
  t.throws(
    () => decideAccount(JSON.parse('"RenameAccount"'), Account.initialState(), fixedContext()),
    new TypeError('unknown account command: RenameAccount'),
  );
});
