import { AccountView, EntryView } from './accounts.js';
import { MemberView } from './members.js';
import { ProjectionView } from './projections.js';

/**
 * Shapes routes share by `$ref`. Registered on the root instance, not inside the route
 * plugins: Fastify 5 rebuilds a child context's validator from its default factory when the
 * child adds schemas, which silently drops the platform's strict validator (and with it the
 * refusal of unknown query fields).
 */
export const sharedSchemas = [AccountView, EntryView, MemberView, ProjectionView];
