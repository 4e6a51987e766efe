import { type Static, Type } from '@sinclair/typebox';
import { eventSchema } from '../shared/event.js';

const Uuid = Type.String({ format: 'uuid' });

export const Role = Type.Union(
  [
    Type.Literal('owner'),
    Type.Literal('admin'),
    Type.Literal('member'),
    Type.Literal('auditor'),
    Type.Literal('integrator'),
  ],
  { description: 'What a member may do; the matrix is in docs/SECURITY.md' },
);
export type Role = Static<typeof Role>;

export const OrganizationCreated = eventSchema(
  'OrganizationCreated',
  1,
  Type.Object({
    tenantId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    ownerUserId: Uuid,
  }),
  'An organization (tenant) signed up; its first member is its owner.',
);

export const MemberAdded = eventSchema(
  'MemberAdded',
  1,
  Type.Object({
    userId: Uuid,
    email: Type.String({ format: 'email', maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
  }),
  'A user became a member of the organization with a role.',
);

export const OrganizationEventSchemas = [OrganizationCreated, MemberAdded] as const;

export type OrganizationCreated = Static<typeof OrganizationCreated>;
export type MemberAdded = Static<typeof MemberAdded>;
export type OrganizationEvent = OrganizationCreated | MemberAdded;

/** Stream category of organization streams: `organization-<tenantId>:<tenantId>`. */
export const ORGANIZATION_CATEGORY = 'organization';
