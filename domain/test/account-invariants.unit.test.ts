import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import {
  Account,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type DomainErrorCode,
  DomainEventSchemas,
  isDomainError,
  MAX_AMOUNT,
  parseMinor,
  registerFormats,
} from '../src/index.js';
import { closed, open, opened } from './helpers/account.js';
import { accountCommand } from './helpers/account-arbitraries.js';
import { fixedContext } from './helpers/given.js';

registerFormats();

interface Step {
  readonly command: AccountCommand;
  readonly before: AccountState;
  readonly outcome: AccountEvent[] | DomainErrorCode;
  readonly after: AccountState;
  /** A refusal's message: the problem's `detail`. */
  readonly detail?: string;
}

/** Opens an account, then runs every command as the command handler would; one ctx throughout. */
const run = (allowOverdraft: boolean, commands: AccountCommand[]): Step[] => {
  const ctx = fixedContext();
  let state = Account.initialState();
  const steps: Step[] = [];
  for (const command of [open({ allowOverdraft }), ...commands]) {
    const before = state;
    let outcome: Step['outcome'];
    let detail: string | undefined;
    try {
      outcome = Account.decide(command, before, ctx);
      state = outcome.reduce(Account.evolve, before);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcome = error.code;
      detail = error.message;
    }
    steps.push({ command, before, outcome, after: state, ...(detail ? { detail } : {}) });
  }
  return steps;
};

const balanceOf = (state: AccountState): bigint => (state.status === 'none' ? 0n : state.balance);
const histories = fc.tuple(
  fc.boolean(),
  fc.array(accountCommand, { maxLength: 60, size: 'medium' }),
);
const holds = (t: Test, property: fc.IProperty<[[boolean, AccountCommand[]]]>) => {
  fc.assert(property, { numRuns: 300 });
  t.pass('holds for 300 random histories');
};

t.test(
  'the balance is accepted deposits minus accepted withdrawals, never below zero without overdraft, never past 19 digits',
  async (t) =>
    holds(
      t,
      fc.property(histories, ([allowOverdraft, commands]) => {
        let expected = 0n;
        for (const { command, outcome, after } of run(allowOverdraft, commands)) {
          if (typeof outcome !== 'string' && outcome.length > 0) {
            if (command.type === 'DepositFunds') expected += command.data.amount;
            if (command.type === 'WithdrawFunds') expected -= command.data.amount;
          }
          assert.equal(balanceOf(after), expected);
          if (!allowOverdraft) assert.ok(balanceOf(after) >= 0n, 'never below zero');
          const size = balanceOf(after) < 0n ? -balanceOf(after) : balanceOf(after);
          assert.ok(size <= MAX_AMOUNT, 'never past 19 digits either way');
        }
      }),
    ),
);

t.test('every emitted event matches its schema, formats included', async (t) =>
  holds(
    t,
    fc.property(histories, ([allowOverdraft, commands]) => {
      for (const { outcome } of run(allowOverdraft, commands)) {
        if (typeof outcome === 'string') continue;
        for (const event of outcome) {
          const schema = DomainEventSchemas.find(
            (s) => s.$id === `${event.type}.v${event.version}`,
          );
          assert.ok(schema && Value.Check(schema, event), `${event.type} is valid`);
        }
      }
    }),
  ),
);

t.test("evolving decide's events leaves the balance at the last balanceAfter", async (t) =>
  holds(
    t,
    fc.property(histories, ([allowOverdraft, commands]) => {
      for (const { outcome, after } of run(allowOverdraft, commands)) {
        const last = typeof outcome === 'string' ? undefined : outcome.at(-1);
        if (last?.type === 'FundsDeposited' || last?.type === 'FundsWithdrawn') {
          assert.equal(balanceOf(after), parseMinor(last.data.balanceAfter));
        }
      }
    }),
  ),
);

t.test('a refused command changes nothing', async (t) =>
  holds(
    t,
    fc.property(histories, ([allowOverdraft, commands]) => {
      for (const { outcome, before, after } of run(allowOverdraft, commands)) {
        if (typeof outcome === 'string') assert.equal(after, before);
      }
    }),
  ),
);

t.test('a closed account accepts nothing', async (t) => {
  fc.assert(
    fc.property(accountCommand, (command) => {
      const state = [opened(), closed].reduce(Account.evolve, Account.initialState());
      assert.throws(
        () => Account.decide(command, state, fixedContext()),
        (e) => isDomainError(e) && e.code === 'account_closed',
      );
    }),
  );
  fc.assert(
    fc.property(histories, ([allowOverdraft, commands]) => {
      for (const { before, outcome } of run(allowOverdraft, commands)) {
        if (before.status === 'closed') assert.equal(outcome, 'account_closed');
      }
    }),
  );
  t.pass('refused with account_closed, whatever the command');
});

t.test('every refusal says in words what stopped it, not only its code', async (t) => {
  holds(
    t,
    fc.property(histories, ([overdraft, commands]) => {
      for (const step of run(overdraft, commands)) {
        if (typeof step.outcome !== 'string') continue;
        assert.ok(step.detail && step.detail !== step.outcome, `${step.outcome}: ${step.detail}`);
      }
    }),
  );
});
