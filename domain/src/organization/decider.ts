import type { Decider } from '../shared/decider.js';
import type { OrganizationCommand } from './commands.js';
import { decideOrganization } from './decide.js';
import { ORGANIZATION_CATEGORY, type OrganizationEvent } from './events.js';
import { evolveOrganization } from './evolve.js';
import { initialOrganizationState, type OrganizationState } from './state.js';

/** The organization (tenant) aggregate; its stream is `organization-<tenantId>:<tenantId>`. */
export const Organization = {
  category: ORGANIZATION_CATEGORY,
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
} as const satisfies Decider<OrganizationCommand, OrganizationEvent, OrganizationState>;
