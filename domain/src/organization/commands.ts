import { type Static, Type } from '@sinclair/typebox';
import { commandSchema } from '../shared/command.js';
import { Label } from '../shared/formats.js';
import { Role } from './events.js';

const Uuid = Type.String({ format: 'uuid' });
const Email = Type.String({ format: 'email', maxLength: 320 });
const Name = Label(200);

export const CreateOrganization = commandSchema(
  'CreateOrganization',
  Type.Object({
    tenantId: Uuid,
    name: Name,
    owner: Type.Object({ userId: Uuid, email: Email, name: Name }),
  }),
  'Sign an organization up, with its first user as owner.',
);

export const AddMember = commandSchema(
  'AddMember',
  Type.Object({ userId: Uuid, email: Email, name: Name, role: Role }),
  'Make a user a member of the organization with a role.',
);

export const OrganizationCommandSchemas = [CreateOrganization, AddMember] as const;

export type CreateOrganization = Static<typeof CreateOrganization>;
export type AddMember = Static<typeof AddMember>;
export type OrganizationCommand = CreateOrganization | AddMember;
