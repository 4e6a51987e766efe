import type { Role } from './events.js';

export interface Member {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export type OrganizationState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active';
      readonly tenantId: string;
      readonly name: string;
      /** Keyed by userId. */
      readonly members: Readonly<Record<string, Member>>;
    };

export const initialOrganizationState = (): OrganizationState => ({ status: 'none' });
