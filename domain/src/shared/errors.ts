/**
 * Every rule the domain enforces fails with one of these codes. Services map a code to an
 * HTTP status in one catalogue; clients branch on the code.
 */
export type DomainErrorCode =
  | 'insufficient_funds'
  | 'account_frozen'
  | 'account_closed'
  | 'account_not_found'
  | 'account_already_exists'
  | 'account_not_frozen'
  | 'account_already_frozen'
  | 'balance_not_zero'
  | 'currency_mismatch'
  | 'amount_out_of_range'
  | 'organization_not_found'
  | 'organization_already_exists'
  | 'member_already_exists';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string = code,
  ) {
    super(message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
