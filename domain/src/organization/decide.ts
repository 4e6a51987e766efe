import { DomainError } from '../shared/errors.js';
import { unreachable } from '../shared/unreachable.js';
import type { AddMember, CreateOrganization, OrganizationCommand } from './commands.js';
import type { MemberAdded, OrganizationCreated, OrganizationEvent } from './events.js';
import type { OrganizationState } from './state.js';

/** Mailbox names are case-insensitive in practice; one person must not join twice by casing. */
const sameEmail = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

const createOrganization = (
  { data }: CreateOrganization,
  state: OrganizationState,
): [OrganizationCreated, MemberAdded] => {
  if (state.status !== 'none') {
    throw new DomainError('organization_already_exists', 'The organization exists already');
  }
  const { tenantId, name, owner } = data;
  return [
    {
      type: 'OrganizationCreated',
      version: 1,
      data: { tenantId, name, ownerUserId: owner.userId },
    },
    { type: 'MemberAdded', version: 1, data: { ...owner, role: 'owner' } },
  ];
};

const addMember = ({ data }: AddMember, state: OrganizationState): MemberAdded[] => {
  if (state.status === 'none') {
    throw new DomainError('organization_not_found', 'No such organization');
  }
  const taken = Object.values(state.members).some(
    (m) => m.userId === data.userId || sameEmail(m.email, data.email),
  );
  if (taken) {
    throw new DomainError('member_already_exists', 'A member with this id or email exists already');
  }
  const { userId, email, name, role } = data;
  return [{ type: 'MemberAdded', version: 1, data: { userId, email, name, role } }];
};

/** Organizations are decided without ids or time of their own: ctx is not needed here. */
export const decideOrganization = (
  command: OrganizationCommand,
  state: OrganizationState,
): OrganizationEvent[] => {
  switch (command.type) {
    case 'CreateOrganization':
      return createOrganization(command, state);
    case 'AddMember':
      return addMember(command, state);
    default:
      return unreachable(command, 'organization command');
  }
};
