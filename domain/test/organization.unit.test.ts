import t from 'tap';
import {
  type AddMember,
  type CreateOrganization,
  decideOrganization,
  Organization,
  type OrganizationEvent,
} from '../src/index.js';
import { given, stateAfter } from './helpers/given.js';

const tenantId = '33333333-3333-4333-8333-333333333333';
const owner = {
  userId: '44444444-4444-4444-8444-444444444444',
  email: 'ada@example.com',
  name: 'Ada',
};
const bob = {
  userId: '55555555-5555-4555-8555-555555555555',
  email: 'bob@example.com',
  name: 'Bob',
};

const create: CreateOrganization = {
  type: 'CreateOrganization',
  data: { tenantId, name: 'Acme', owner },
};
const addMember = (member: Partial<AddMember['data']> = {}): AddMember => ({
  type: 'AddMember',
  data: { ...bob, role: 'member', ...member },
});

const created: OrganizationEvent[] = [
  {
    type: 'OrganizationCreated',
    version: 1,
    data: { tenantId, name: 'Acme', ownerUserId: owner.userId },
  },
  { type: 'MemberAdded', version: 1, data: { ...owner, role: 'owner' } },
];

const on = (history: OrganizationEvent[]) => given(Organization, history);

t.test('a decider over the "organization" category, starting from none', async (t) => {
  t.equal(Organization.category, 'organization');
  t.same(Organization.initialState(), { status: 'none' });
});

t.test('no organization yet', async (t) => {
  t.test('is created with its owner as first member', async (t) =>
    on([]).when(create).thenEmits(t, created),
  );
  t.test('has no one to add members to', async (t) =>
    on([]).when(addMember()).thenThrows(t, 'organization_not_found'),
  );
});

t.test('active organization', async (t) => {
  t.test('is not created twice', async (t) =>
    on(created).when(create).thenThrows(t, 'organization_already_exists'),
  );
  t.test('adds a member with a role', async (t) =>
    on(created)
      .when(addMember({ role: 'auditor' }))
      .thenEmits(t, [{ type: 'MemberAdded', version: 1, data: { ...bob, role: 'auditor' } }]),
  );
  t.test('refuses a user who is already a member', async (t) =>
    on(created)
      .when(addMember({ userId: owner.userId }))
      .thenThrows(t, 'member_already_exists'),
  );
  t.test('refuses an email already in use, whatever its case', async (t) =>
    on(created)
      .when(addMember({ email: 'ADA@Example.com' }))
      .thenThrows(t, 'member_already_exists'),
  );
});

t.test('state keeps the members by user id', async (t) => {
  const state = stateAfter(Organization, [
    ...created,
    { type: 'MemberAdded', version: 1, data: { ...bob, role: 'admin' } },
  ]);
  t.same(state, {
    status: 'active',
    tenantId,
    name: 'Acme',
    members: {
      [owner.userId]: { ...owner, role: 'owner' },
      [bob.userId]: { ...bob, role: 'admin' },
    },
  });
});

t.test('evolve never throws on history it cannot apply', async (t) => {
  t.same(
    stateAfter(Organization, created.slice(1)),
    { status: 'none' },
    'a member before the organization',
  );
  const newer: OrganizationEvent = JSON.parse(
    '{"type":"OrganizationRenamed","version":1,"data":{}}',
  );
  const before = stateAfter(Organization, created);
  t.equal(Organization.evolve(before, newer), before, 'an event type it does not know');
});

t.test('a command decide does not know is a TypeError naming it', async (t) => {
  t.throws(
    () => decideOrganization(JSON.parse('{"type":"RemoveMember"}'), Organization.initialState()),
    new TypeError('unknown organization command: RemoveMember'),
  );
});
