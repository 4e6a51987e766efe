import { ACCOUNT_CATEGORY, type AccountEvent, AccountEventSchemas } from './account/events.js';
import {
  ORGANIZATION_CATEGORY,
  type OrganizationEvent,
  OrganizationEventSchemas,
} from './organization/events.js';
import type { EventCatalogEntry } from './shared/event.js';

/** Every event TechFlow stores, whatever its stream. */
export type TechFlowEvent = AccountEvent | OrganizationEvent;

/** Every event schema, for validating stored events by `$id` (`<type>.v<version>`). */
export const DomainEventSchemas = [...AccountEventSchemas, ...OrganizationEventSchemas] as const;

/**
 * Each event schema with the category of the streams it lives in: the source of the AsyncAPI
 * catalog. A new aggregate adds its schemas here, or integrators never hear of its events.
 */
export const eventCatalog: readonly EventCatalogEntry[] = [
  ...AccountEventSchemas.map((schema) => ({ category: ACCOUNT_CATEGORY, schema })),
  ...OrganizationEventSchemas.map((schema) => ({ category: ORGANIZATION_CATEGORY, schema })),
];
