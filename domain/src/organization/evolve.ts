import type { OrganizationEvent } from './events.js';
import type { OrganizationState } from './state.js';

/** Total over history: a member before its organization is ignored rather than thrown on. */
export const evolveOrganization = (
  state: OrganizationState,
  event: OrganizationEvent,
): OrganizationState => {
  switch (event.type) {
    case 'OrganizationCreated': {
      const { tenantId, name } = event.data;
      return { status: 'active', tenantId, name, members: {} };
    }
    case 'MemberAdded': {
      if (state.status === 'none') return state;
      const { userId, email, name, role } = event.data;
      return { ...state, members: { ...state.members, [userId]: { userId, email, name, role } } };
    }
    default:
      return state;
  }
};
