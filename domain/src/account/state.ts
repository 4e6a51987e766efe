import type { Currency } from '../shared/money.js';

/** What an opened account knows about itself; the tenant lives in the stream name. */
export interface AccountDetails {
  readonly accountId: string;
  readonly name: string;
  readonly currency: Currency;
  readonly allowOverdraft: boolean;
  readonly balance: bigint;
}

export type AccountState =
  | { readonly status: 'none' }
  | ({ readonly status: 'open' } & AccountDetails)
  | ({ readonly status: 'frozen' } & AccountDetails)
  | ({ readonly status: 'closed' } & AccountDetails);

/** An account that was opened, whatever became of it since. */
export type ExistingAccount = Exclude<AccountState, { status: 'none' }>;

export const initialAccountState = (): AccountState => ({ status: 'none' });
